using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Flightdeck.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Monitoring;

/// <summary>
/// <c>GET /api/flightdeck/v1/inference-log?endpoint=&amp;since=&amp;max_results=</c>: logged inferences at or after
/// <c>since</c> (epoch ms, default 0), oldest first, at most <c>max_results</c> (default 1000, at most 10000), as
/// <c>{"entries": [{"id", "request_id", "endpoint", "model_name", "version", "role", "inputs", "outputs", "status",
/// "latency_us", "time"}]}</c> with inputs and outputs as arrays of records. The next page starts at the last time.
/// </summary>
internal static class InferenceLogApi
{
    public const string Path = "/api/flightdeck/v1/inference-log";

    private const int DefaultResults = 1000;
    private const int MaxResults = 10_000;

    public static IEndpointRouteBuilder MapInferenceLogApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Path, ListAsync).WithTags("Monitoring");
        return routes;
    }

    private static async Task ListAsync(HttpContext context, InferenceLogStore store)
    {
        var query = context.Request.Query;
        var endpoint = query["endpoint"].ToString() is { Length: > 0 } name ? name : null;
        var since = ParseLong(query["since"].ToString(), "since", 0, 0, long.MaxValue);
        var max = (int)ParseLong(query["max_results"].ToString(), "max_results", DefaultResults, 1, MaxResults);
        var rows = await store.ListAsync(endpoint, since, max, context.RequestAborted);

        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("entries");
            foreach (var row in rows)
                Write(writer, row);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    private static void Write(Utf8JsonWriter writer, InferenceLogRow row)
    {
        writer.WriteStartObject();
        writer.WriteNumber("id", row.Id);
        writer.WriteString("request_id", row.RequestId);
        writer.WriteString("endpoint", row.Endpoint);
        writer.WriteString("model_name", row.ModelName);
        writer.WriteString("version", row.Version);
        writer.WriteString("role", row.Role);
        writer.WritePropertyName("inputs");
        writer.WriteRawValue(row.InputsJson);
        writer.WritePropertyName("outputs");
        if (row.OutputsJson is null)
            writer.WriteNullValue();
        else
            writer.WriteRawValue(row.OutputsJson);
        writer.WriteNumber("status", row.Status);
        writer.WriteNumber("latency_us", row.LatencyUs);
        writer.WriteNumber("time", row.Time);
        writer.WriteEndObject();
    }

    private static long ParseLong(string text, string name, long fallback, long min, long max)
    {
        if (text.Length == 0)
            return fallback;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw FlightdeckException.InvalidParameter($"'{name}' must be an integer between {min} and {max}.");
        return value;
    }
}
