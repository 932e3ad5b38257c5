using System.Globalization;
using System.Text.Json;
using Flightdeck.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Ui;

/// <summary>
/// GET /api/flightdeck/v1/ui/endpoints/{name}/traffic?seconds=120: the live charts' data, per version and second
/// (requests, errors, p99 latency in ms) from <see cref="EndpointTrafficRecorder"/>; seconds without requests are absent.
/// </summary>
internal static class EndpointTrafficApi
{
    public const string Route = "/api/flightdeck/v1/ui/endpoints/{name}/traffic";

    public static IEndpointRouteBuilder MapEndpointTrafficApi(this IEndpointRouteBuilder routes, EndpointTrafficRecorder recorder)
    {
        routes.MapGet(Route, (HttpContext context, string name) => WriteAsync(context, recorder, name)).WithTags("Charts");
        return routes;
    }

    private static async Task WriteAsync(HttpContext context, EndpointTrafficRecorder recorder, string name)
    {
        var seconds = 120L;
        if (context.Request.Query.TryGetValue("seconds", out var given))
        {
            if (given.Count != 1 || !long.TryParse(given[0], NumberStyles.None, CultureInfo.InvariantCulture, out seconds)
                || seconds is < 1 or > EndpointTrafficRecorder.WindowSeconds)
            {
                throw FlightdeckException.InvalidParameter(
                    $"seconds must be one whole number from 1 to {EndpointTrafficRecorder.WindowSeconds}, got '{given}'.");
            }
        }

        var now = recorder.NowSeconds;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("endpoint", name);
        json.WriteNumber("now", now);
        json.WriteStartArray("versions");
        foreach (var (version, counts) in recorder.Read(name, now - seconds + 1))
        {
            json.WriteStartObject();
            json.WriteString("version", version);
            Column(json, "seconds", counts, c => json.WriteNumberValue(c.Second));
            Column(json, "requests", counts, c => json.WriteNumberValue(c.Requests));
            Column(json, "errors", counts, c => json.WriteNumberValue(c.Errors));
            Column(json, "p99_latency_ms", counts, c => json.WriteNumberValue(Math.Round(c.P99LatencyMs, 3)));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static void Column(Utf8JsonWriter json, string name, IReadOnlyList<SecondCounts> counts, Action<SecondCounts> write)
    {
        json.WriteStartArray(name);
        foreach (var c in counts)
        {
            write(c);
        }

        json.WriteEndArray();
    }
}
