using System.Diagnostics;
using Flightdeck.Models;

namespace Flightdeck.Serving;

/// <summary>One request waiting in a batcher's queue. Its task completes once: with the rows predicted for it, an error,
/// or cancellation when the caller gives up (the batcher then skips it).</summary>
internal sealed class PendingPrediction : IDisposable
{
    private readonly TaskCompletionSource<DataBatch> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenRegistration _registration;

    public PendingPrediction(DataBatch input, string layout, CancellationToken cancellationToken, ModelStats stats)
    {
        Input = input;
        Layout = layout;
        Caller = Activity.Current?.Context ?? default;
        if (cancellationToken.CanBeCanceled)
        {
            _registration = cancellationToken.Register(() =>
            {
                if (_completion.TrySetCanceled(cancellationToken))
                    stats.RecordCancelled();
            });
        }
        Stats = stats;
    }

    public DataBatch Input { get; }

    public string Layout { get; }

    /// <summary>The caller's span when the request was queued, for the batch span to link to.</summary>
    public ActivityContext Caller { get; }

    /// <summary>Rows this request adds to a batch (at least 1, so empty requests still count toward the limit).</summary>
    public int Rows => Math.Max(1, Input.RowCount);

    public Task<DataBatch> Task => _completion.Task;

    private ModelStats Stats { get; }

    public void Complete(DataBatch output)
    {
        _completion.TrySetResult(output);
        Dispose();
    }

    public void Fail(Exception error)
    {
        if (_completion.TrySetException(error))
            Stats.RecordFailed();
        Dispose();
    }

    public void Dispose() => _registration.Dispose();
}
