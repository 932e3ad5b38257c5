namespace Flightdeck.Analytics;

/// <summary>
/// What one model version did over a window of time: requests, failures, a latency histogram and a reservoir of its
/// numeric predictions. Recording is lock-free for the counts and one short lock for the predictions, so it can be
/// fed from the request path by many threads.
/// </summary>
public sealed class InferenceWindow(DateTimeOffset started, int predictionCapacity = InferenceWindow.DefaultPredictionCapacity)
{
    public const int DefaultPredictionCapacity = 2048;

    private readonly LatencyHistogram _latency = new();
    private readonly ReservoirSample _predictions = new(predictionCapacity);
    private long _requests;
    private long _failures;

    public DateTimeOffset Started { get; } = started;

    /// <summary>Counts one request; <paramref name="predictions"/> are its numeric prediction values (one per row, none
    /// when it failed or its output has no numeric column).</summary>
    public void Record(bool failed, TimeSpan latency, ReadOnlySpan<double> predictions)
    {
        Interlocked.Increment(ref _requests);
        if (failed)
            Interlocked.Increment(ref _failures);
        _latency.Record(latency);
        _predictions.AddRange(predictions);
    }

    public InferenceWindowSnapshot Snapshot() => new(
        Started,
        Interlocked.Read(ref _requests),
        Interlocked.Read(ref _failures),
        _latency.P99Ms,
        _predictions.ToArray(),
        _predictions.Seen);
}

/// <summary>A window's numbers at one moment. <see cref="Predictions"/> is a uniform sample of the
/// <see cref="PredictionsSeen"/> prediction values.</summary>
public sealed record InferenceWindowSnapshot(
    DateTimeOffset Started,
    long Requests,
    long Failures,
    double? P99LatencyMs,
    double[] Predictions,
    long PredictionsSeen)
{
    public static InferenceWindowSnapshot Empty(DateTimeOffset started) => new(started, 0, 0, null, [], 0);

    public double ErrorRate => Requests == 0 ? 0 : (double)Failures / Requests;
}
