namespace Flightdeck.Serving;

/// <summary>Knobs of a model's <see cref="AdaptiveBatcher"/>.</summary>
public sealed record BatchingOptions
{
    /// <summary>Most rows merged into one predict call; 1 turns merging off (each request is predicted alone). A request
    /// with more rows than this is predicted alone rather than split.</summary>
    public int MaxBatchSize { get; init; } = 64;

    /// <summary>How long the first request of a batch may wait for others to join it, counted from when it was queued,
    /// when other requests are in flight (a lone request is predicted at once, so batching adds no latency at low load).
    /// Time spent queued behind busy workers counts too, so no request waits for company longer than this. Zero still
    /// merges whatever queued up while the previous batch was predicting, which is where most of the gain is under
    /// load.</summary>
    public TimeSpan MaxBatchDelay { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Requests waiting for a batch, beyond which new ones are refused (429 with Retry-After) so latency stays
    /// bounded instead of growing with the backlog.</summary>
    public int MaxQueue { get; init; } = 1024;

    /// <summary>Batches predicted at the same time (one worker each). Predict calls are CPU-bound; more than the core
    /// count only adds contention.</summary>
    public int MaxConcurrentBatches { get; init; } = Environment.ProcessorCount;

    public void Validate()
    {
        if (MaxBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "The max batch size must be at least 1.");
        if (MaxBatchDelay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(MaxBatchDelay), MaxBatchDelay, "The max batch delay cannot be negative.");
        if (MaxQueue < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxQueue), MaxQueue, "The max queue must be at least 1.");
        if (MaxConcurrentBatches < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentBatches), MaxConcurrentBatches, "At least one batch must run.");
    }
}
