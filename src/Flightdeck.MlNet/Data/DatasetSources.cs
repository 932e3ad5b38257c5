using System.Reflection;
using System.Text.Json.Nodes;

namespace Flightdeck.MlNet.Data;

/// <summary>A dataset's source as MLflow records it: a source type and a JSON description.</summary>
internal static class DatasetSources
{
    /// <summary>
    /// A URI with a scheme keeps it (<c>s3</c>, <c>http</c>/<c>https</c>, <c>file</c> → <c>local</c>); any other text is a
    /// local path, made absolute; null means the data was built in code, named by the entry assembly.
    /// </summary>
    public static (string SourceType, string Source) Describe(string? source)
    {
        if (source is null)
        {
            var program = Assembly.GetEntryAssembly()?.GetName().Name ?? "unknown";
            return ("code", new JsonObject { ["tags"] = new JsonObject { ["mlflow.source.name"] = program } }.ToJsonString());
        }

        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme.Length > 1)
        {
            var type = uri.Scheme switch
            {
                "file" => "local",
                "https" => "http",
                var scheme => scheme,
            };
            return (type, UriJson(uri.IsFile ? uri.AbsoluteUri : source));
        }

        return ("local", UriJson(new Uri(Path.GetFullPath(source)).AbsoluteUri));
    }

    private static string UriJson(string uri) => new JsonObject { ["uri"] = uri }.ToJsonString();
}
