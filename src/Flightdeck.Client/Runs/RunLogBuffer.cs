using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Flightdeck.Contracts;

namespace Flightdeck.Client.Runs;

/// <summary>
/// The queue between a training loop and the server. Logging calls only enqueue; one background sender drains the queue
/// into log-batch requests (everything that accumulated while the previous request was in flight goes into the next one).
/// Memory is bounded: when <c>capacity</c> entries are waiting, logging calls wait for the sender instead of dropping data.
/// A failed send is kept and rethrown by the next logging call, flush or end, so it is never silently lost.
/// </summary>
internal sealed class RunLogBuffer
{
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)];

    private readonly string _runId;
    private readonly Func<LogBatchRequest, CancellationToken, Task> _send;
    private readonly Channel<LogEntry> _channel;
    private readonly Task _pump;
    private ExceptionDispatchInfo? _failure;
    private int _batchesSent;

    public RunLogBuffer(string runId, Func<LogBatchRequest, CancellationToken, Task> send, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _runId = runId;
        _send = send;
        _channel = Channel.CreateBounded<LogEntry>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        // The sender must not run in the caller's execution context: its own handled exceptions are not the training loop's.
        using (ExecutionContext.SuppressFlow())
        {
            _pump = Task.Run(PumpAsync);
        }
    }

    /// <summary>Batches sent so far (for diagnostics and tests).</summary>
    public int BatchesSent => Volatile.Read(ref _batchesSent);

    public void Add(LogEntry entry)
    {
        ThrowIfFailed();
        if (_channel.Writer.TryWrite(entry))
        {
            return;
        }

        try
        {
            // Full: the server is slower than the loop. Waiting here bounds memory; data is never dropped.
            _channel.Writer.WriteAsync(entry).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"Run {_runId} has ended; nothing more can be logged to it.");
        }
    }

    /// <summary>Waits until everything queued so far has been sent; throws the first send failure, if any.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var flush = new FlushEntry(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await _channel.Writer.WriteAsync(flush, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            await _pump.WaitAsync(cancellationToken);
            ThrowIfFailed();
            return;
        }

        await flush.Done.Task.WaitAsync(cancellationToken);
        ThrowIfFailed();
    }

    /// <summary>Sends what is queued and stops the sender; later logging calls throw. Throws the first send failure, if any.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        await _pump.WaitAsync(cancellationToken);
        ThrowIfFailed();
    }

    /// <summary>Rethrows a send failure once: the caller that sees it owns it.</summary>
    public void ThrowIfFailed() => Interlocked.Exchange(ref _failure, null)?.Throw();

    private async Task PumpAsync()
    {
        var reader = _channel.Reader;
        var batch = new LogBatchBuilder();
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var entry))
            {
                if (entry is FlushEntry flush)
                {
                    batch = await SendAsync(batch);
                    flush.Done.TrySetResult();
                }
                else if (!batch.TryAdd(entry))
                {
                    batch = await SendAsync(batch);
                    batch.TryAdd(entry);
                }
            }

            batch = await SendAsync(batch);
        }
    }

    /// <summary>Sends a batch with retries on transient failures; returns a fresh builder.</summary>
    private async Task<LogBatchBuilder> SendAsync(LogBatchBuilder batch)
    {
        if (batch.IsEmpty)
        {
            return batch;
        }

        var request = batch.Build(_runId);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _send(request, CancellationToken.None);
                Interlocked.Increment(ref _batchesSent);
                break;
            }
            catch (Exception ex) when (IsTransient(ex) && attempt < RetryDelays.Length)
            {
                await Task.Delay(RetryDelays[attempt]);
            }
            catch (Exception ex)
            {
                // Keep the first failure until someone observes it; later ones add nothing a caller can act on.
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(ex), null);
                break;
            }
        }

        return new LogBatchBuilder();
    }

    private static bool IsTransient(Exception ex) => ex switch
    {
        FlightdeckConnectionException => true,
        FlightdeckApiException api => (int)api.HttpStatus >= 500 || (int)api.HttpStatus == 429,
        _ => false,
    };
}
