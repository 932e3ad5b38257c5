using System.Text.Json;
using Flightdeck.Contracts;

namespace Flightdeck.Cli.Commands.Endpoints;

/// <summary>The endpoint DTOs' JSON for <c>--json</c>: the wire shape, indented.</summary>
internal static class EndpointsJson
{
    public static EndpointJsonContext Indented { get; } = new(new JsonSerializerOptions(EndpointJsonContext.Default.Options) { WriteIndented = true });
}
