using System.Text.Json;

namespace Flightdeck.Server.Lineage;

/// <summary>
/// The matching rule between Flightdeck datasets and OpenLineage datasets: both are reduced to one location string,
/// and they are the same data when those strings are equal.
/// <list type="bullet">
/// <item>A Flightdeck dataset's location is its source's <c>uri</c>, <c>url</c> or <c>path</c> field when the source is a
/// JSON object (MLflow's source shapes), else the source text itself.</item>
/// <item>An OpenLineage dataset's location follows OpenLineage's naming conventions: <c>{namespace}/{name}</c> when the
/// namespace is a URI (<c>s3://bucket</c> + <c>data/train.csv</c>), <c>file://{name}</c> for the <c>file</c>
/// namespace, else <c>{namespace}:{name}</c> (<c>bigquery</c> + <c>project.dataset.table</c>).</item>
/// <item>Local files compare as <c>file://</c> plus the unescaped absolute path, so <c>file:///data/a%20b.csv</c>,
/// <c>/data/a b.csv</c> and OpenLineage's (<c>file</c>, <c>/data/a b.csv</c>) agree; trailing slashes are ignored.</item>
/// </list>
/// </summary>
internal static class DatasetSourceUri
{
    public const int MaxLength = 2000;

    /// <summary>The location of a Flightdeck dataset's source, or null when it names none.</summary>
    public static string? FromFlightdeckSource(string? source)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            return null;
        }

        var text = source.Trim();
        if (text.StartsWith('{'))
        {
            text = LocationField(text) ?? text;
        }

        return Fit(Normalize(text));
    }

    /// <summary>The location of an OpenLineage dataset.</summary>
    public static string FromOpenLineage(string @namespace, string name)
    {
        var ns = @namespace.Trim();
        string location;
        if (ns == "file")
        {
            location = "file://" + (name.StartsWith('/') ? name : "/" + name);
        }
        else if (ns.Contains("://", StringComparison.Ordinal))
        {
            location = ns.TrimEnd('/') + "/" + name.TrimStart('/');
        }
        else
        {
            location = ns + ":" + name;
        }

        return Normalize(location); // namespace and name are length-checked at intake, so this fits
    }

    /// <summary>
    /// The OpenLineage (namespace, name) of a location, the inverse of <see cref="FromOpenLineage"/>: <c>scheme://authority</c>
    /// and the path, <c>file</c> and the absolute path, or <c>scheme</c> and the rest; null for text that is no URI.
    /// </summary>
    public static (string Namespace, string Name)? ToOpenLineage(string? location)
    {
        if (string.IsNullOrEmpty(location))
        {
            return null;
        }

        if (location.StartsWith("file://", StringComparison.Ordinal))
        {
            return ("file", location["file://".Length..]);
        }

        var colon = location.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !char.IsAsciiLetter(location[0]) || !location[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
        {
            return null;
        }

        if (location.AsSpan(colon).StartsWith("://"))
        {
            var slash = location.IndexOf('/', colon + 3);
            return slash < 0 ? (location, "/") : (location[..slash], location[(slash + 1)..] is { Length: > 0 } path ? path : "/");
        }

        return location.Length > colon + 1 ? (location[..colon], location[(colon + 1)..]) : null;
    }

    private static string? LocationField(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var field in new[] { "uri", "url", "path" })
            {
                if (document.RootElement.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String
                    && !string.IsNullOrWhiteSpace(value.GetString()))
                {
                    return value.GetString()!.Trim();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON after all: the text itself is the location.
        }

        return null;
    }

    private static string Normalize(string location)
    {
        if (location.StartsWith('/'))
        {
            return "file://" + TrimSlash(location);
        }

        if (location.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            && Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.IsFile
            && (uri.Host.Length == 0 || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)))
        {
            return "file://" + TrimSlash(Uri.UnescapeDataString(uri.AbsolutePath));
        }

        return TrimSlash(location);
    }

    private static string TrimSlash(string location) => location.Length > 1 && location.EndsWith('/') && !location.EndsWith("://", StringComparison.Ordinal)
        ? location.TrimEnd('/')
        : location;

    private static string? Fit(string location) => location.Length <= MaxLength ? location : null;
}
