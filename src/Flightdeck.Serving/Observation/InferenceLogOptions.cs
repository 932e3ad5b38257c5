namespace Flightdeck.Serving;

/// <summary>How much <see cref="InferenceLogger"/> keeps and how much it may hold back.</summary>
public sealed record InferenceLogOptions
{
    /// <summary>The share of inferences logged, per endpoint; everything by default.</summary>
    public InferenceSampleRate SampleRate { get; init; } = _ => 1.0;

    /// <summary>Decide by a hash of the request id (a shadow's record and the live one of the same request are then
    /// logged together, and a replay decides alike) rather than at random.</summary>
    public bool DeterministicSampling { get; init; } = true;

    /// <summary>Records waiting for the writer; beyond it new records are dropped and counted, never waited for.</summary>
    public int Capacity { get; init; } = 10_000;

    /// <summary>Most records one write to the sink takes (one transaction in the database).</summary>
    public int MaxBatch { get; init; } = 500;

    /// <summary>How long the writer lets records gather before writing them (unless a full batch is waiting): fewer,
    /// larger writes, at the price of records reaching the store this much later.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Rows of a request's inputs and outputs that are kept; the rest of a large batch is left out.</summary>
    public int MaxRowsPerRecord { get; init; } = 1000;

    public void Validate()
    {
        if (Capacity < 1)
            throw new ArgumentOutOfRangeException(nameof(Capacity), Capacity, "The inference log capacity must be at least 1.");
        if (MaxBatch < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxBatch), MaxBatch, "The inference log batch must be at least 1.");
        if (FlushInterval < TimeSpan.Zero || FlushInterval > TimeSpan.FromMinutes(1))
            throw new ArgumentOutOfRangeException(nameof(FlushInterval), FlushInterval, "The inference log flush interval must be between 0 and 1 minute.");
        if (MaxRowsPerRecord < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxRowsPerRecord), MaxRowsPerRecord, "At least one row per record must be kept.");
    }
}
