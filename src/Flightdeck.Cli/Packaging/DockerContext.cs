using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Flightdeck.Cli.Packaging;

/// <summary>What goes into a model image: where the model came from and how the image is named and based.</summary>
internal sealed record DockerImageSpec(string ModelUri, string ModelName, string? Version, string? RunId, string ImageName, string BaseImage, string Runtime)
{
    /// <summary>Whether the package has an input_example.json (MLflow's split format) the README can score with.</summary>
    public bool HasInputExample { get; init; }
}

/// <summary>
/// The files of a model image's build context: a Dockerfile running <c>flightdeck serve</c> on the model baked into the
/// image, a .dockerignore and a README. The CLI goes into <see cref="AppDirectory"/>, the model into <see cref="ModelDirectory"/>.
/// </summary>
internal static partial class DockerContext
{
    public const string DefaultBaseImage = "mcr.microsoft.com/dotnet/aspnet:10.0";
    public const string DefaultRuntime = "linux-x64";
    public const string AppDirectory = "app";
    public const string ModelDirectory = "model";
    public const string AppPathInImage = "/opt/flightdeck";
    public const string ModelPathInImage = "/opt/model";
    public const int Port = 8080;

    /// <summary>The unprivileged "app" user the .NET images define (APP_UID); numeric so Kubernetes can check runAsNonRoot.</summary>
    public const int UserId = 1654;

    /// <summary>The serving process of the image, as an exec-form ENTRYPOINT.</summary>
    public static IReadOnlyList<string> Entrypoint { get; } =
        ["dotnet", $"{AppPathInImage}/flightdeck.dll", "serve", "--model", ModelPathInImage, "--host", "0.0.0.0", "--port", $"{Port}"];

    public static IReadOnlyList<string> HealthCheck { get; } =
        ["dotnet", $"{AppPathInImage}/flightdeck.dll", "healthcheck", $"http://127.0.0.1:{Port}/ping"];

    /// <summary>Docker image references: lowercase name components, an optional registry host:port and an optional tag.</summary>
    public static bool IsImageReference(string text) => ImageReference().IsMatch(text);

    /// <summary>"flightdeck-fraud:3" from a model name and version ("latest" without one).</summary>
    public static string DefaultImageName(string modelName, string? version)
    {
        var name = NotNameCharacters().Replace(modelName.ToLowerInvariant(), "-").Trim('-', '.', '_');
        return $"flightdeck-{(name.Length == 0 ? "model" : name)}:{version ?? "latest"}";
    }

    public static string PublishCommand(string cliProject, string runtime, string appDirectory) =>
        $"dotnet publish {Quote(cliProject)} -c Release -r {runtime} --self-contained false -o {Quote(appDirectory)}";

    public static string Dockerfile(DockerImageSpec spec)
    {
        var text = new StringBuilder();
        text.AppendLine("# syntax=docker/dockerfile:1");
        text.AppendLine($"# Serves {Describe(spec)} with `flightdeck serve`. Written by `flightdeck models build-docker`; see README.md.");
        text.AppendLine($"FROM {spec.BaseImage}");
        text.AppendLine();
        text.AppendLine("# The flightdeck CLI, published framework-dependent: the ASP.NET Core runtime image already holds the .NET runtime,");
        text.AppendLine("# so the image carries one runtime (patched by rebuilding on a newer base) and only the app's own files on top.");
        text.AppendLine($"COPY {AppDirectory}/ {AppPathInImage}/");
        text.AppendLine("# The model package (MLmodel, flavors, signature), read-only to the serving user: the files stay owned by root.");
        text.AppendLine($"COPY {ModelDirectory}/ {ModelPathInImage}/");
        text.AppendLine();
        text.AppendLine($"LABEL org.opencontainers.image.title={Label(spec.ImageName)} \\");
        text.AppendLine($"      org.opencontainers.image.description={Label("Flightdeck serving image for " + Describe(spec))} \\");
        text.AppendLine($"      ai.flightdeck.model.uri={Label(spec.ModelUri)} \\");
        text.AppendLine($"      ai.flightdeck.model.name={Label(spec.ModelName)} \\");
        text.AppendLine($"      ai.flightdeck.model.version={Label(spec.Version ?? "")} \\");
        text.AppendLine($"      ai.flightdeck.model.run-id={Label(spec.RunId ?? "")}");
        text.AppendLine("ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \\");
        text.AppendLine("    DOTNET_NOLOGO=1");
        text.AppendLine();
        text.AppendLine($"# {UserId} is the unprivileged \"app\" user of the .NET images (APP_UID).");
        text.AppendLine($"USER {UserId}");
        text.AppendLine($"EXPOSE {Port}");
        text.AppendLine("# The .NET images have neither curl nor wget: the CLI probes its own /ping.");
        text.AppendLine($"HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD {ExecForm(HealthCheck)}");
        text.AppendLine($"ENTRYPOINT {ExecForm(Entrypoint)}");
        return text.ToString();
    }

    public static string DockerIgnore() =>
        """
        # Only app/ and model/ go into the image.
        *
        !app/
        !model/
        **/*.pdb
        **/*.dbg
        **/.DS_Store

        """;

    public static string Readme(DockerImageSpec spec, string publishCommand)
    {
        var first = new StringBuilder();
        first.AppendLine($"# {spec.ImageName}: {Describe(spec)}");
        first.AppendLine();
        first.AppendLine($"Build context written by `flightdeck models build-docker {spec.ModelUri}`. It holds the model package in");
        first.AppendLine($"`{ModelDirectory}/` and expects the flightdeck CLI in `{AppDirectory}/` (`--publish` puts it there).");
        first.AppendLine();
        first.AppendLine("```sh");
        first.AppendLine($"# 1. The CLI, framework-dependent for {spec.Runtime} (run from the Flightdeck repository; skip it if --publish did it)");
        first.AppendLine(publishCommand);
        first.AppendLine("# 2. The image");
        first.AppendLine($"docker build -t {spec.ImageName} .");
        first.AppendLine("# 3. Serve on port 8080, then score");
        first.AppendLine($"docker run --rm -p {Port}:{Port} {spec.ImageName}");
        first.AppendLine($"curl -s http://127.0.0.1:{Port}/ping");
        first.AppendLine($"curl -s http://127.0.0.1:{Port}/invocations -H 'Content-Type: application/json' \\");
        first.AppendLine(spec.HasInputExample
            ? "  -d \"{\\\"dataframe_split\\\": $(cat model/input_example.json)}\""
            : "  -d '{\"dataframe_split\": {\"columns\": [\"...\"], \"data\": [[...]]}}'");
        first.AppendLine("```");
        first.AppendLine();
        first.AppendLine($"The container runs `{string.Join(' ', Entrypoint)}` as user {UserId}. Health: `/ping` (Docker HEALTHCHECK),");
        first.AppendLine("`/v2/health/live` and `/v2/health/ready` (Kubernetes probes; see `flightdeck endpoints export-k8s`).");
        first.AppendLine($"Open Inference v2 metadata and inference: `/v2/models/{ModelDirectory}` and `/v2/models/{ModelDirectory}/infer`.");
        return first.ToString();
    }

    private static string Describe(DockerImageSpec spec) =>
        spec.Version is null ? $"model {spec.ModelUri}" : $"model '{spec.ModelName}' version {spec.Version}";

    /// <summary>A Dockerfile exec form: a JSON array of strings.</summary>
    private static string ExecForm(IEnumerable<string> words) => "[" + string.Join(", ", words.Select(Json)) + "]";

    /// <summary>A double-quoted LABEL value: JSON escapes, and $ escaped so Docker does not expand it.</summary>
    private static string Label(string value) => Json(value).Replace("$", "\\$", StringComparison.Ordinal);

    private static string Json(string value) => "\"" + JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value + "\"";

    private static string Quote(string path) => path.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '$') ? "'" + path.Replace("'", "'\\''") + "'" : path;

    [GeneratedRegex(@"^([a-z0-9.-]+(:\d+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$")]
    private static partial Regex ImageReference();

    [GeneratedRegex("[^a-z0-9._-]+")]
    private static partial Regex NotNameCharacters();
}
