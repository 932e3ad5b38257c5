using Flightdeck.Analytics;

namespace Flightdeck.Analytics.Tests;

public class InferenceWindowTests
{
    [Fact]
    public void Counts_requests_failures_latency_and_predictions()
    {
        var started = DateTimeOffset.UnixEpoch;
        var window = new InferenceWindow(started, predictionCapacity: 4);
        window.Record(failed: false, TimeSpan.FromMilliseconds(2), [0.1, 0.2]);
        window.Record(failed: true, TimeSpan.FromMilliseconds(8), []);
        window.Record(failed: false, TimeSpan.FromMilliseconds(4), [0.3, 0.4, 0.5]);

        var snapshot = window.Snapshot();

        Assert.Equal(started, snapshot.Started);
        Assert.Equal(3, snapshot.Requests);
        Assert.Equal(1, snapshot.Failures);
        Assert.Equal(1 / 3.0, snapshot.ErrorRate, 12);
        Assert.Equal(8, snapshot.P99LatencyMs);
        Assert.Equal(5, snapshot.PredictionsSeen);
        Assert.Equal(4, snapshot.Predictions.Length);
    }

    [Fact]
    public void An_empty_window_has_no_error_rate_and_no_latency()
    {
        var snapshot = InferenceWindowSnapshot.Empty(DateTimeOffset.UnixEpoch);

        Assert.Equal(0, snapshot.ErrorRate);
        Assert.Null(snapshot.P99LatencyMs);
        Assert.Empty(snapshot.Predictions);
    }
}
