using System.Globalization;
using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Ui;

/// <summary>
/// GET /api/flightdeck/v1/metrics/downsampled?run_id=&amp;key=&amp;points=1000[&amp;min_step=&amp;max_step=]: a metric's
/// points in a step range, at most <c>points</c> of them (see <see cref="MetricDownsampler"/>), as columns
/// <c>{"steps":[...],"values":[...],"timestamps":[...]}</c> ready for a chart. Zooming asks again with a narrower range.
/// </summary>
internal static class DownsampledMetricsApi
{
    public const string Route = "/api/flightdeck/v1/metrics/downsampled";
    public const int DefaultPoints = 1000;
    public const int MaxPoints = 20_000;

    public static IEndpointRouteBuilder MapDownsampledMetricsApi(this IEndpointRouteBuilder routes, MetricSeriesReader reader)
    {
        routes.MapGet(Route, (HttpContext context) => GetAsync(context, reader)).WithTags("Charts");
        return routes;
    }

    private static async Task GetAsync(HttpContext context, MetricSeriesReader reader)
    {
        var query = context.Request.Query;
        var runId = Validation.RunId(Single(query, "run_id") ?? throw Validation.Missing("run_id"));
        var key = Single(query, "key") is { Length: > 0 } k ? k : throw Validation.Missing("key");
        var requested = Long(query, "points") ?? DefaultPoints;
        if (requested is < 2 or > MaxPoints)
        {
            throw FlightdeckException.InvalidParameter($"points must be between 2 and {MaxPoints}, got {requested}.");
        }

        var points = (int)requested;
        var minStep = Long(query, "min_step");
        var maxStep = Long(query, "max_step");
        if (minStep > maxStep)
        {
            throw FlightdeckException.InvalidParameter($"min_step ({minStep}) is greater than max_step ({maxStep}).");
        }

        var series = await reader.ReadAsync(runId, key, minStep, maxStep, context.RequestAborted);
        var kept = MetricDownsampler.Select(series.Steps, series.Values, points);

        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("run_id", runId);
        json.WriteString("key", key);
        json.WriteNumber("total_points", series.Count);
        json.WriteNumber("non_finite_points", series.NonFinite);
        json.WriteNumber("returned_points", kept.Length);
        json.WriteBoolean("downsampled", kept.Length < series.Count);
        WriteColumn(json, "steps", kept, i => json.WriteNumberValue(series.Steps[i]));
        WriteColumn(json, "values", kept, i => json.WriteNumberValue(series.Values[i]));
        WriteColumn(json, "timestamps", kept, i => json.WriteNumberValue(series.Timestamps[i]));
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static void WriteColumn(Utf8JsonWriter json, string name, int[] kept, Action<int> writeValue)
    {
        json.WriteStartArray(name);
        foreach (var i in kept)
        {
            writeValue(i);
        }

        json.WriteEndArray();
    }

    private static string? Single(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) ? values.Count == 1 ? values[0] : throw FlightdeckException.InvalidParameter(
            $"{name} must be given once.") : null;

    private static long? Long(IQueryCollection query, string name) =>
        Single(query, name) is not { } text ? null
        : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
        : throw Validation.Invalid(name, text);
}
