using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Ui;

/// <summary>
/// Chart data: a metric's points picked for a chart of at most <c>points</c> points (see <see cref="MetricDownsampler"/>),
/// as columns <c>{"key":…,"steps":[...],"values":[...],"timestamps":[...]}</c> ready for uPlot.
/// <list type="bullet">
/// <item>GET /api/flightdeck/v1/metrics/downsampled?run_id=&amp;key=&amp;points=1000[&amp;min_step=&amp;max_step=]: one
/// metric in a step range; zooming asks again with a narrower range.</item>
/// <item>GET /api/flightdeck/v1/metrics/downsampled-batch?run_id=&amp;points=1000: every metric of the run, whole, as
/// newline-delimited JSON (one such object a line, keys in ordinal order), each line sent as soon as it is ready, so a
/// run page draws its charts from one request as they arrive.</item>
/// </list>
/// </summary>
internal static class DownsampledMetricsApi
{
    public const string Route = "/api/flightdeck/v1/metrics/downsampled";
    public const string BatchRoute = "/api/flightdeck/v1/metrics/downsampled-batch";
    public const int DefaultPoints = 1000;
    public const int MaxPoints = 20_000;

    public static IEndpointRouteBuilder MapDownsampledMetricsApi(this IEndpointRouteBuilder routes, DownsampledSeriesSource source)
    {
        routes.MapGet(Route, (HttpContext context) => GetAsync(context, source)).WithTags("Charts");
        routes.MapGet(BatchRoute, (HttpContext context) => GetBatchAsync(context, source)).WithTags("Charts");
        return routes;
    }

    private static async Task GetAsync(HttpContext context, DownsampledSeriesSource source)
    {
        var query = context.Request.Query;
        var runId = Validation.RunId(Single(query, "run_id") ?? throw Validation.Missing("run_id"));
        var key = Single(query, "key") is { Length: > 0 } k ? k : throw Validation.Missing("key");
        var points = Points(query);
        var minStep = Long(query, "min_step");
        var maxStep = Long(query, "max_step");
        if (minStep > maxStep)
        {
            throw FlightdeckException.InvalidParameter($"min_step ({minStep}) is greater than max_step ({maxStep}).");
        }

        var series = await source.GetAsync(runId, key, points, minStep, maxStep, context.RequestAborted);
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        WriteSeries(json, runId, series);
        await json.FlushAsync(context.RequestAborted);
    }

    private static async Task GetBatchAsync(HttpContext context, DownsampledSeriesSource source)
    {
        var query = context.Request.Query;
        var runId = Validation.RunId(Single(query, "run_id") ?? throw Validation.Missing("run_id"));
        foreach (var name in query.Keys)
        {
            if (name is not ("run_id" or "points"))
            {
                throw FlightdeckException.InvalidParameter($"Unknown parameter {name}: the batch takes run_id and points.");
            }
        }

        var points = Points(query);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var pending = await source.GetRunAsync(runId, points, stop.Token);
        try
        {
            context.Response.ContentType = "application/x-ndjson";
            var body = context.Response.BodyWriter;
            await using var json = new Utf8JsonWriter(body);
            foreach (var next in pending)
            {
                WriteSeries(json, runId, await next);
                await json.FlushAsync(stop.Token);
                json.Reset();
                body.Write("\n"u8);
                await body.FlushAsync(stop.Token);
            }
        }
        finally
        {
            // A failed read or a client gone: the reads still queued stop, and none is left running unobserved.
            await stop.CancelAsync();
            await Task.WhenAll(pending).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static void WriteSeries(Utf8JsonWriter json, string runId, DownsampledSeries series)
    {
        json.WriteStartObject();
        json.WriteString("run_id", runId);
        json.WriteString("key", series.Key);
        json.WriteNumber("total_points", series.TotalPoints);
        json.WriteNumber("non_finite_points", series.NonFinitePoints);
        json.WriteNumber("returned_points", series.ReturnedPoints);
        json.WriteBoolean("downsampled", series.Downsampled);
        json.WriteStartArray("steps");
        foreach (var step in series.Steps)
        {
            json.WriteNumberValue(step);
        }

        json.WriteEndArray();
        json.WriteStartArray("values");
        foreach (var value in series.Values)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
        json.WriteStartArray("timestamps");
        foreach (var timestamp in series.Timestamps)
        {
            json.WriteNumberValue(timestamp);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static int Points(IQueryCollection query)
    {
        var requested = Long(query, "points") ?? DefaultPoints;
        return requested is < 2 or > MaxPoints
            ? throw FlightdeckException.InvalidParameter($"points must be between 2 and {MaxPoints}, got {requested}.")
            : (int)requested;
    }

    private static string? Single(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) ? values.Count == 1 ? values[0] : throw FlightdeckException.InvalidParameter(
            $"{name} must be given once.") : null;

    private static long? Long(IQueryCollection query, string name) =>
        Single(query, name) is not { } text ? null
        : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
        : throw Validation.Invalid(name, text);
}
