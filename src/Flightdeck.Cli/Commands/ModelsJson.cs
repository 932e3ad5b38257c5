using System.Text.Json;
using System.Text.Json.Serialization;
using Flightdeck.Contracts;

namespace Flightdeck.Cli.Commands;

/// <summary>JSON result of <c>models download</c>.</summary>
internal sealed record ModelDownloadResult(
    string ModelUri, string? Name, string? Version, string? RunId, string ArtifactUri, string LocalPath, long Bytes);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ModelDownloadResult))]
[JsonSerializable(typeof(BuildDockerResult))]
internal sealed partial class ModelsJsonContext : JsonSerializerContext
{
    public static ModelsJsonContext Indented { get; } = new(new JsonSerializerOptions(FlightdeckJson.Options) { WriteIndented = true });
}
