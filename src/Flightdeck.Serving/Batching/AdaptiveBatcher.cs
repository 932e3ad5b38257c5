using System.Diagnostics;
using System.Threading.Channels;
using Flightdeck.Models;

namespace Flightdeck.Serving;

/// <summary>
/// Merges concurrent predictions for one model into batched predict calls. Requests wait in a bounded channel; a worker
/// takes the first, then keeps taking until the batch holds <see cref="BatchingOptions.MaxBatchSize"/> rows or
/// <see cref="BatchingOptions.MaxBatchDelay"/> has passed since its first request was queued, predicts once and hands
/// each request its rows. Under light load a request waits at most the delay; under heavy load batches fill while the
/// previous one predicts, so the batch size adapts to the load, and a request that already waited the delay for a busy
/// worker is predicted as soon as one is free, with whatever queued behind it, instead of waiting the delay again. A full queue refuses new requests (<see cref="QueueFullException"/>); a
/// request cancelled while waiting is dropped from its batch.
/// </summary>
public sealed class AdaptiveBatcher : IAsyncDisposable
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly IPredictor _predictor;
    private readonly BatchingOptions _options;
    private readonly string _modelLabel;
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly Channel<PendingPrediction> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _workers;

    // Given to every request, which calls it once when answered (one delegate for all, not one per request).
    private readonly Action _leave;

    // Requests accepted and not yet answered: queued, in a batch being formed, or being predicted.
    private int _inFlight;

    public AdaptiveBatcher(IPredictor predictor, BatchingOptions options, ModelStats stats, string modelName, string modelVersion)
    {
        options.Validate();
        _predictor = predictor;
        _options = options;
        Stats = stats;
        _modelLabel = $"{modelName}/{modelVersion}";
        _tags = [new("model", modelName), new("version", modelVersion)];
        _leave = () => Interlocked.Decrement(ref _inFlight);
        _queue = Channel.CreateBounded<PendingPrediction>(new BoundedChannelOptions(options.MaxQueue)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of dropping anything.
            SingleReader = options.MaxConcurrentBatches == 1,
        });
        _workers = [.. Enumerable.Range(0, options.MaxConcurrentBatches).Select(_ => Task.Run(RunWorkerAsync))];
        ServingMetrics.Track(this, _tags);
    }

    public ModelStats Stats { get; }

    /// <summary>Requests waiting for a batch right now.</summary>
    public int QueueDepth => _queue.Reader.Count;

    /// <summary>Queues <paramref name="input"/> for the next batch and returns its predictions. Throws
    /// <see cref="QueueFullException"/> at once when the queue is full, <see cref="ModelInputException"/> for input the
    /// model rejects, and <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first.</summary>
    public Task<DataBatch> PredictAsync(DataBatch input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingPrediction(input, cancellationToken, Stats, _leave);
        // Counted before it is queued, so a worker that takes it at once never sees fewer requests in flight than in
        // its batch.
        Interlocked.Increment(ref _inFlight);
        if (!_queue.Writer.TryWrite(pending))
        {
            pending.Dispose(); // After this its cancellation has either been counted or never will be.
            if (!pending.Task.IsCompleted)
                Interlocked.Decrement(ref _inFlight);
            Stats.RecordRejected();
            ServingMetrics.Rejected.Add(1, _tags);
            throw new QueueFullException(_modelLabel, _options.MaxQueue, RetryAfter);
        }
        Stats.RecordAccepted();
        return pending.Task;
    }

    private async Task RunWorkerAsync()
    {
        Activity.Current = null; // Not a child of whatever request happened to load the model.
        var reader = _queue.Reader;
        var batch = new List<PendingPrediction>(_options.MaxBatchSize);
        PendingPrediction? carried = null;
        try
        {
            while (carried is not null || await reader.WaitToReadAsync(_stopping.Token))
            {
                var first = carried ?? TakeLive(reader);
                carried = null;
                if (first is null)
                    continue;
                batch.Add(first);
                var rows = first.Rows;
                var deadline = first.Queued + (long)(_options.MaxBatchDelay.TotalSeconds * Stopwatch.Frequency);
                while (rows < _options.MaxBatchSize)
                {
                    var next = TakeLive(reader);
                    if (next is null)
                    {
                        // Nobody else is in the system (the batch holds every request in flight): waiting could only add
                        // the delay to this request's latency, as for a lone client, so predict at once.
                        if (Volatile.Read(ref _inFlight) <= batch.Count)
                            break;
                        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                        if (remaining <= TimeSpan.Zero || !await WaitForMoreAsync(reader, remaining))
                            break;
                        continue;
                    }
                    if (rows + next.Rows > _options.MaxBatchSize || !BatchMerger.SameLayout(next.Input, first.Input))
                    {
                        carried = next; // Starts the next batch, keeping arrival order.
                        break;
                    }
                    batch.Add(next);
                    rows += next.Rows;
                }
                Run(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: DisposeAsync fails whatever is still queued.
        }
        finally
        {
            foreach (var pending in batch.Append(carried).OfType<PendingPrediction>())
                pending.Fail(new ObjectDisposedException(nameof(AdaptiveBatcher), "The model was unloaded."));
        }
    }

    /// <summary>The next queued request whose caller is still waiting; cancelled ones are dropped here.</summary>
    private static PendingPrediction? TakeLive(ChannelReader<PendingPrediction> reader)
    {
        while (reader.TryRead(out var pending))
        {
            if (!pending.Task.IsCompleted)
                return pending;
            pending.Dispose();
        }
        return null;
    }

    private async Task<bool> WaitForMoreAsync(ChannelReader<PendingPrediction> reader, TimeSpan remaining)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        linked.CancelAfter(remaining);
        try
        {
            return await reader.WaitToReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            return false; // The delay ran out: predict what we have.
        }
    }

    private void Run(List<PendingPrediction> batch)
    {
        batch.RemoveAll(p =>
        {
            if (!p.Task.IsCompleted)
                return false;
            p.Dispose();
            return true;
        });
        if (batch.Count == 0)
            return;
        RecordQueueWaits(batch);
        using var span = StartBatchSpan(batch);
        if (batch.Count == 1)
        {
            RunAlone(batch[0]);
            return;
        }
        DataBatch output;
        var rows = batch.Sum(p => p.Input.RowCount);
        try
        {
            output = Predict(BatchMerger.Concat([.. batch.Select(p => p.Input)]), batch.Count, rows);
        }
        catch (Exception)
        {
            // One bad request must not fail its neighbours: predict each alone so only the culprit gets the error.
            foreach (var pending in batch)
                RunAlone(pending);
            return;
        }
        if (output.RowCount != rows)
        {
            foreach (var pending in batch)
                RunAlone(pending);
            return;
        }
        var offset = 0;
        foreach (var pending in batch)
        {
            pending.Complete(BatchMerger.Slice(output, offset, pending.Input.RowCount));
            offset += pending.Input.RowCount;
        }
    }

    /// <summary>How long each request of the batch waited, from being queued to its predict call: the share of a
    /// request's latency the batcher adds (the batch delay, and waiting for a busy worker).</summary>
    private void RecordQueueWaits(List<PendingPrediction> batch)
    {
        if (!ServingMetrics.QueueWaitSeconds.Enabled)
            return;
        var now = Stopwatch.GetTimestamp();
        foreach (var pending in batch)
            ServingMetrics.QueueWaitSeconds.Record(Stopwatch.GetElapsedTime(pending.Queued, now).TotalSeconds, _tags);
    }

    /// <summary>A <c>batch</c> span for one predict call, linked to the <c>infer</c> span of every request it serves
    /// (a batch has many parents, so links rather than a parent); null when nobody traces.</summary>
    private Activity? StartBatchSpan(List<PendingPrediction> batch)
    {
        if (!ServingTelemetry.Source.HasListeners())
            return null;
        var links = batch.Where(p => p.Caller != default).Select(p => new ActivityLink(p.Caller)).ToList();
        var span = ServingTelemetry.Source.StartActivity("batch", ActivityKind.Internal, parentContext: default, links: links);
        span?.SetTag("flightdeck.model", _tags[0].Value);
        span?.SetTag("flightdeck.version", _tags[1].Value);
        span?.SetTag("flightdeck.batch.requests", batch.Count);
        span?.SetTag("flightdeck.batch.rows", batch.Sum(p => p.Input.RowCount));
        return span;
    }

    private void RunAlone(PendingPrediction pending)
    {
        if (pending.Task.IsCompleted)
        {
            pending.Dispose();
            return;
        }
        try
        {
            pending.Complete(Predict(pending.Input, 1, pending.Input.RowCount));
        }
        catch (Exception e)
        {
            pending.Fail(e);
        }
    }

    private DataBatch Predict(DataBatch input, int requests, int rows)
    {
        var started = Stopwatch.GetTimestamp();
        Stats.RecordBatch(requests, rows);
        ServingMetrics.BatchRows.Record(rows, _tags);
        ServingMetrics.BatchRequests.Record(requests, _tags);
        try
        {
            return _predictor.Predict(input);
        }
        finally
        {
            ServingMetrics.PredictSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _tags);
        }
    }

    public async ValueTask DisposeAsync()
    {
        ServingMetrics.Untrack(this);
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        await Task.WhenAll(_workers);
        while (_queue.Reader.TryRead(out var pending))
            pending.Fail(new ObjectDisposedException(nameof(AdaptiveBatcher), "The model was unloaded."));
        _stopping.Dispose();
    }
}
