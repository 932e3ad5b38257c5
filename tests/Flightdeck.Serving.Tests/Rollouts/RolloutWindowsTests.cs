using Flightdeck.Models;
using Flightdeck.Serving;
using Flightdeck.Serving.Rollouts;

namespace Flightdeck.Serving.Tests.Rollouts;

public class RolloutWindowsTests
{
    private static readonly DataBatch Input = new(BatchColumn.FromSingles("x", [1f, 2f]));

    private static InferenceRecord Record(string? endpoint, string version, DataBatch? output = null, int status = 200,
        double latencyMs = 3) => new()
        {
            RequestId = Guid.NewGuid().ToString(),
            Endpoint = endpoint,
            ModelName = "m",
            Version = version,
            Input = Input,
            Output = status >= 400 ? null : output ?? Scores(0.25f, 0.75f),
            StatusCode = status,
            Latency = TimeSpan.FromMilliseconds(latencyMs),
            Timestamp = DateTimeOffset.UtcNow,
        };

    private static DataBatch Scores(params float[] probabilities) => new(
        BatchColumn.FromBooleans("PredictedLabel", [.. probabilities.Select(p => p > 0.5f)]),
        BatchColumn.FromSingles("Score", [.. probabilities.Select(p => p * 10)]),
        BatchColumn.FromSingles("Probability", probabilities));

    [Fact]
    public void Counts_only_watched_endpoints_per_version()
    {
        var windows = new RolloutWindows(TimeProvider.System);
        windows.Watch("ep", "r1/0");

        windows.OnInference(Record("ep", "1"));
        windows.OnInference(Record("ep", "1", status: 500));
        windows.OnInference(Record("ep", "2", latencyMs: 40));
        windows.OnInference(Record("other", "1"));
        windows.OnInference(Record(null, "1"));

        var live = windows.Snapshot("ep", "m", "1");
        var candidate = windows.Snapshot("ep", "m", "2");
        Assert.Equal(2, live.Requests);
        Assert.Equal(1, live.Failures);
        Assert.Equal(1, candidate.Requests);
        Assert.Equal(40, candidate.P99LatencyMs);
        Assert.Equal(0, windows.Snapshot("other", "m", "1").Requests);
        Assert.Equal(["ep"], windows.WatchedEndpoints);
    }

    [Fact]
    public void Samples_the_probability_column_of_each_row()
    {
        var windows = new RolloutWindows(TimeProvider.System);
        windows.Watch("ep", "k");

        windows.OnInference(Record("ep", "1", Scores(0.25f, 0.75f)));

        var snapshot = windows.Snapshot("ep", "m", "1");
        Assert.Equal([0.25, 0.75], snapshot.Predictions);
        Assert.Equal(2, snapshot.PredictionsSeen);
    }

    [Fact]
    public void Falls_back_to_score_then_the_first_numeric_column_then_a_boolean_one()
    {
        Assert.Equal("Score", PredictionValues.PickColumn(new DataBatch(
            BatchColumn.FromSingles("Score", [1f]), BatchColumn.FromBooleans("PredictedLabel", [true])))!.Name);
        Assert.Equal("value", PredictionValues.PickColumn(new DataBatch(
            BatchColumn.FromStrings("label", ["a"]), BatchColumn.FromDoubles("value", [1]), BatchColumn.FromInt64s("n", [1])))!.Name);
        Assert.Equal("PredictedLabel", PredictionValues.PickColumn(new DataBatch(
            BatchColumn.FromStrings("label", ["a"]), BatchColumn.FromBooleans("PredictedLabel", [true])))!.Name);
        Assert.Null(PredictionValues.PickColumn(new DataBatch(BatchColumn.FromStrings("label", ["a"]))));
    }

    [Fact]
    public void A_vector_score_counts_as_its_largest_element_and_missing_values_are_skipped()
    {
        var windows = new RolloutWindows(TimeProvider.System);
        windows.Watch("ep", "k");
        var output = new DataBatch(BatchColumn.FromVectors("Score", [0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f, 0f, 0f, 0f], 3,
            missing: [false, false, true]));

        windows.OnInference(Record("ep", "1", output));

        Assert.Equal([0.7f, 0.5f], windows.Snapshot("ep", "m", "1").Predictions.Select(v => (float)v));
    }

    [Fact]
    public void A_new_window_key_starts_fresh_windows_and_the_same_key_keeps_them()
    {
        var windows = new RolloutWindows(TimeProvider.System);
        windows.Watch("ep", "r1/0");
        windows.OnInference(Record("ep", "2"));

        windows.Watch("ep", "r1/0");
        Assert.Equal(1, windows.Snapshot("ep", "m", "2").Requests);

        windows.Watch("ep", "r1/1");
        Assert.Equal(0, windows.Snapshot("ep", "m", "2").Requests);
        Assert.Equal("r1/1", windows.WindowOf("ep")!.Value.Key);

        windows.Unwatch("ep");
        windows.OnInference(Record("ep", "2"));
        Assert.Null(windows.WindowOf("ep"));
        Assert.Equal(0, windows.Snapshot("ep", "m", "2").Requests);
    }

    [Fact]
    public void Versions_without_traffic_report_an_empty_window_that_starts_with_the_step()
    {
        var windows = new RolloutWindows(TimeProvider.System);
        windows.Watch("ep", "k");
        var started = windows.WindowOf("ep")!.Value.Started;

        windows.OnInference(Record("ep", "1"));

        Assert.Equal(started, windows.Snapshot("ep", "m", "2").Started);
        Assert.Equal(started, windows.Snapshot("ep", "m", "1").Started);
    }

    [Fact]
    public void Concurrent_inferences_are_all_counted()
    {
        var windows = new RolloutWindows(TimeProvider.System);
        windows.Watch("ep", "k");

        Parallel.For(0, 4_000, i => windows.OnInference(Record("ep", (i % 2).ToString(), status: i % 20 == 0 ? 500 : 200)));

        var even = windows.Snapshot("ep", "m", "0");
        Assert.Equal(2_000, even.Requests);
        Assert.Equal(200, even.Failures);
        Assert.Equal(2 * 1_800, even.PredictionsSeen);
    }
}
