using System.Text;
using System.Text.Json;
using Flightdeck.Contracts;

namespace Flightdeck.Server.Tracking;

/// <summary>MLflow's page token: base64 of <c>{"offset": N}</c>. Clients treat it as opaque.</summary>
internal static class PageToken
{
    public static string Encode(long offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"offset\": {offset}}}"));

    public static long Decode(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }

        try
        {
            var bytes = Convert.FromBase64String(token);
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("offset", out var offset)
                && offset.ValueKind == JsonValueKind.Number
                && offset.TryGetInt64(out var value)
                && value >= 0)
            {
                return value;
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
        }

        throw FlightdeckException.InvalidParameter($"Invalid page token '{Validation.Shorten(token)}'.");
    }
}
