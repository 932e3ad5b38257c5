using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Flightdeck.Serving;

/// <summary>The serving meter ("Flightdeck.Serving"), for the OpenTelemetry Prometheus exporter on <c>/metrics</c>
/// (<see cref="ServingTelemetry"/>). Instrument names follow OpenTelemetry's conventions; the exporter turns
/// <c>flightdeck.serving.request.duration</c> (unit s) into <c>flightdeck_serving_request_duration_seconds</c> and a
/// counter into <c>…_total</c>.</summary>
internal static class ServingMetrics
{
    public const string MeterName = "Flightdeck.Serving";

    // From 100 µs (a small tree model in-process) to 10 s (a request stuck behind a full queue): the default
    // OpenTelemetry buckets start at 5 ms and would put every healthy request in the first one.
    private static readonly double[] SecondsBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly int[] BatchBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

    private static readonly Meter Meter = new(MeterName);

    private static readonly ConcurrentDictionary<AdaptiveBatcher, KeyValuePair<string, object?>[]> Batchers = new();

    public static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "flightdeck.serving.requests", "{request}", "Inference requests answered, by endpoint, model, version, role and status class.");

    public static readonly Counter<long> Errors = Meter.CreateCounter<long>(
        "flightdeck.serving.request.errors", "{request}", "Inference requests answered with an error status (4xx or 5xx).");

    public static readonly Histogram<double> RequestSeconds = Meter.CreateHistogram(
        "flightdeck.serving.request.duration", "s", "Time from receiving an inference request to its answer.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    public static readonly Histogram<int> BatchRows = Meter.CreateHistogram(
        "flightdeck.serving.batch.rows", "{row}", "Rows per predict call.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBuckets });

    public static readonly Histogram<int> BatchRequests = Meter.CreateHistogram(
        "flightdeck.serving.batch.requests", "{request}", "Requests merged into one predict call.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBuckets });

    public static readonly Histogram<double> PredictSeconds = Meter.CreateHistogram(
        "flightdeck.serving.predict.duration", "s", "Time spent in one predict call.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    public static readonly Histogram<double> QueueWaitSeconds = Meter.CreateHistogram(
        "flightdeck.serving.queue.wait", "s", "Time a request waited in the batcher, from being queued to its predict call.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    public static readonly Counter<long> Rejected = Meter.CreateCounter<long>(
        "flightdeck.serving.rejected", "{request}", "Requests refused because the queue was full.");

    public static readonly Counter<long> InferenceLogDropped = Meter.CreateCounter<long>(
        "flightdeck.serving.inference_log.dropped", "{record}", "Inference log records dropped because the log's queue was full.");

    public static readonly Counter<long> InferenceLogFailed = Meter.CreateCounter<long>(
        "flightdeck.serving.inference_log.failed", "{record}", "Inference log records lost because the sink failed to write them.");

    static ServingMetrics()
    {
        Meter.CreateObservableGauge("flightdeck.serving.queue.depth", ObserveQueueDepths, "{request}",
            "Requests waiting for a batch, per loaded model version.");
    }

    /// <summary>Makes <paramref name="batcher"/>'s queue depth visible until <see cref="Untrack"/>.</summary>
    public static void Track(AdaptiveBatcher batcher, KeyValuePair<string, object?>[] tags) => Batchers[batcher] = tags;

    public static void Untrack(AdaptiveBatcher batcher) => Batchers.TryRemove(batcher, out _);

    private static IEnumerable<Measurement<int>> ObserveQueueDepths() =>
        Batchers.Select(pair => new Measurement<int>(pair.Key.QueueDepth, pair.Value));
}
