using Flightdeck.Bench.Tools;

namespace Flightdeck.Bench.Ui;

/// <summary>Seeds one run with M metrics ("metric_00"…) of N points each (steps 0..N-1), as a long training job logs them.</summary>
internal static class ManyMetricsSeeder
{
    public static Task<int> RunAsync(string storeUri, int metricCount, int points, CancellationToken ct) =>
        HistorySeeder.RunAsync(storeUri, "ui-charts-bench", "many-metrics",
            [.. Enumerable.Range(0, metricCount).Select(m => $"metric_{m:D2}")], points, Value, ct);

    // A decaying curve with noise, different per metric, so each chart has real shape to downsample.
    internal static double Value(int metric, long step) =>
        (2.0 + metric * 0.1) / (1 + step * 0.0005) + Math.Sin(step * 0.01 + metric) * 0.05 + ((step * 7919 + metric) % 101) * 1e-4;
}
