using System.Diagnostics;
using Flightdeck.Models;

namespace Flightdeck.Serving;

/// <summary>One request waiting in a batcher's queue. Its task completes once: with the rows predicted for it, an error,
/// or cancellation when the caller gives up (the batcher then skips it). Whichever comes first also tells
/// <paramref name="settled"/>, so the batcher's count of requests in flight drops the moment the request is answered.</summary>
internal sealed class PendingPrediction : IDisposable
{
    private readonly TaskCompletionSource<DataBatch> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenRegistration _registration;
    private readonly ModelStats _stats;
    private readonly Action _settled;

    public PendingPrediction(DataBatch input, CancellationToken cancellationToken, ModelStats stats, Action settled)
    {
        Input = input;
        Queued = Stopwatch.GetTimestamp();
        Caller = Activity.Current?.Context ?? default;
        _stats = stats;
        _settled = settled;
        if (cancellationToken.CanBeCanceled)
        {
            // Unsafe: the callback needs no ExecutionContext, and capturing one for every request costs an allocation.
            _registration = cancellationToken.UnsafeRegister(static (state, token) => ((PendingPrediction)state!).Cancel(token), this);
        }
    }

    public DataBatch Input { get; }

    /// <summary>When it was queued (<see cref="Stopwatch.GetTimestamp"/>): the batch delay counts from here.</summary>
    public long Queued { get; }

    /// <summary>The caller's span when the request was queued, for the batch span to link to.</summary>
    public ActivityContext Caller { get; }

    /// <summary>Rows this request adds to a batch (at least 1, so empty requests still count toward the limit).</summary>
    public int Rows => Math.Max(1, Input.RowCount);

    public Task<DataBatch> Task => _completion.Task;

    public void Complete(DataBatch output)
    {
        if (_completion.TrySetResult(output))
            _settled();
        Dispose();
    }

    public void Fail(Exception error)
    {
        if (_completion.TrySetException(error))
        {
            _stats.RecordFailed();
            _settled();
        }
        Dispose();
    }

    public void Dispose() => _registration.Dispose();

    private void Cancel(CancellationToken token)
    {
        if (_completion.TrySetCanceled(token))
        {
            _stats.RecordCancelled();
            _settled();
        }
    }
}
