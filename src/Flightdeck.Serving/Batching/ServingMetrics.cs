using System.Diagnostics.Metrics;

namespace Flightdeck.Serving;

/// <summary>The serving meter ("Flightdeck.Serving"), tagged with model name and version, for an OpenTelemetry or
/// Prometheus exporter to pick up.</summary>
internal static class ServingMetrics
{
    public const string MeterName = "Flightdeck.Serving";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Histogram<int> BatchRows = Meter.CreateHistogram<int>(
        "flightdeck.serving.batch.rows", "{row}", "Rows per predict call.");

    public static readonly Histogram<int> BatchRequests = Meter.CreateHistogram<int>(
        "flightdeck.serving.batch.requests", "{request}", "Requests merged into one predict call.");

    public static readonly Histogram<double> PredictSeconds = Meter.CreateHistogram<double>(
        "flightdeck.serving.predict.duration", "s", "Time spent in one predict call.");

    public static readonly Counter<long> Rejected = Meter.CreateCounter<long>(
        "flightdeck.serving.rejected", "{request}", "Requests refused because the queue was full.");
}
