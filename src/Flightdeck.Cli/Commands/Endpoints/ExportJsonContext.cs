using System.Text.Json;
using System.Text.Json.Serialization;
using Flightdeck.Contracts;

namespace Flightdeck.Cli.Commands.Endpoints;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ExportKubernetesResult))]
internal sealed partial class ExportJsonContext : JsonSerializerContext
{
    public static ExportJsonContext Indented { get; } = new(new JsonSerializerOptions(FlightdeckJson.Options) { WriteIndented = true });
}
