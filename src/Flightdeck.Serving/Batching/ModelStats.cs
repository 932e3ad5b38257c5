namespace Flightdeck.Serving;

/// <summary>Counters of one served model, updated lock-free by its batcher. Read them for health pages and tests; the
/// same events are published to <see cref="ServingMetrics"/> for Prometheus/OpenTelemetry.</summary>
public sealed class ModelStats
{
    private long _requests;
    private long _rows;
    private long _batches;
    private long _mergedBatches;
    private long _maxBatchRows;
    private long _maxBatchRequests;
    private long _rejected;
    private long _cancelled;
    private long _failed;

    /// <summary>Requests accepted into the queue.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Rows predicted.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>Predict calls made (one per batch).</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Predict calls that served more than one request.</summary>
    public long MergedBatches => Interlocked.Read(ref _mergedBatches);

    /// <summary>Most rows seen in one predict call.</summary>
    public long MaxBatchRows => Interlocked.Read(ref _maxBatchRows);

    /// <summary>Most requests served by one predict call.</summary>
    public long MaxBatchRequests => Interlocked.Read(ref _maxBatchRequests);

    /// <summary>Requests refused because the queue was full.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Requests whose caller gave up before their batch ran.</summary>
    public long Cancelled => Interlocked.Read(ref _cancelled);

    /// <summary>Requests answered with an error (bad input or a model failure).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    internal void RecordAccepted() => Interlocked.Increment(ref _requests);

    internal void RecordRejected() => Interlocked.Increment(ref _rejected);

    internal void RecordCancelled() => Interlocked.Increment(ref _cancelled);

    internal void RecordFailed() => Interlocked.Increment(ref _failed);

    internal void RecordBatch(int requests, int rows)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _rows, rows);
        if (requests > 1)
            Interlocked.Increment(ref _mergedBatches);
        RaiseTo(ref _maxBatchRows, rows);
        RaiseTo(ref _maxBatchRequests, requests);
    }

    private static void RaiseTo(ref long field, long value)
    {
        var current = Interlocked.Read(ref field);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref field, value, current);
            if (seen == current)
                return;
            current = seen;
        }
    }
}
