using System.Diagnostics;
using System.Threading.Channels;
using Flightdeck.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Serving;

/// <summary>
/// Logs sampled inferences (request id, endpoint, version, inputs, outputs, status, latency, time) to a durable
/// <see cref="IInferenceLogSink"/> without slowing the requests: <see cref="OnInference"/> samples, writes the record's
/// inputs and outputs as UTF-8 JSON arrays of records into one array of their exact size (while the request's data is
/// still in the CPU's cache, and so that a queued record holds one object rather than the parsed batches' dozens for the
/// garbage collector to trace and promote) and hands it to a bounded queue; a background writer wakes once per
/// <see cref="InferenceLogOptions.FlushInterval"/> and hands the queued records to the sink in batches. When the queue
/// is full the record is dropped and counted (<c>flightdeck_serving_inference_log_dropped_total</c>, and a warning at
/// most once a minute). Stopping (the host's shutdown) writes out what is queued.
/// </summary>
public sealed partial class InferenceLogger : IInferenceObserver, IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    /// <summary>JSON bytes past which a batch takes no more records, so one write to the sink stays small.</summary>
    internal const int BatchBytes = 4 * 1024 * 1024;

    // Each request thread's scratch space for a record's JSON, copied out at its exact size: one allocation per record.
    [ThreadStatic]
    private static RecordJsonWriter? t_json;

    private readonly IInferenceLogSink _sink;
    private readonly InferenceLogOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<InferenceLogEntry> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writer;
    private long _dropped;
    private long _written;
    private long _failed;
    private long _lastDropWarning = long.MinValue;
    private volatile bool _closed;

    public InferenceLogger(IInferenceLogSink sink, InferenceLogOptions options, ILogger<InferenceLogger> logger)
    {
        options.Validate();
        _sink = sink;
        _options = options;
        _logger = logger;
        _queue = Channel.CreateBounded<InferenceLogEntry>(new BoundedChannelOptions(options.Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails at once: the caller drops, never waits.
            SingleReader = true,
        });
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Records dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Records the sink has stored.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Records lost because the sink failed.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Records waiting for the writer.</summary>
    public int Queued => _queue.Reader.Count;

    public void OnInference(InferenceRecord record)
    {
        if (!IsSampled(record))
            return;
        if (!_closed && _queue.Writer.TryWrite(ToEntry(record)))
            return;
        Drop();
    }

    private void Drop()
    {
        var dropped = Interlocked.Increment(ref _dropped);
        ServingMetrics.InferenceLogDropped.Add(1);
        if (_closed)
            return; // A straggler after shutdown began: lost, counted, but no sign of a slow sink.
        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastDropWarning);
        if ((last == long.MinValue || Stopwatch.GetElapsedTime(last, now) >= WarningInterval)
            && Interlocked.CompareExchange(ref _lastDropWarning, now, last) == last)
            LogDropping(_logger, _options.Capacity, dropped);
    }

    private bool IsSampled(InferenceRecord record)
    {
        var rate = _options.SampleRate(record.Endpoint);
        if (rate >= 1)
            return true;
        if (rate <= 0 || double.IsNaN(rate))
            return false;
        return (_options.DeterministicSampling ? HashFraction(record.RequestId) : Random.Shared.NextDouble()) < rate;
    }

    /// <summary>A fraction in [0, 1) spread evenly over request ids (FNV-1a, then a 64-bit finaliser to mix the low bits).</summary>
    internal static double HashFraction(string requestId)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in requestId)
            hash = (hash ^ c) * 1099511628211UL;
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<InferenceLogEntry>(_options.MaxBatch);
        while (await reader.WaitToReadAsync())
        {
            // Let records gather for a moment: one wake-up and one write per interval rather than per request, since
            // waking this loop costs the request threads' CPU and every write (a transaction, a flush) has a fixed cost.
            if (reader.Count < _options.MaxBatch && !_closed)
                await Task.Delay(_options.FlushInterval, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            while (TakeBatch(reader, batch))
                await WriteBatchAsync(batch);
        }
    }

    /// <summary>Takes up to <see cref="InferenceLogOptions.MaxBatch"/> records (fewer once their JSON passes
    /// <see cref="BatchBytes"/>); false when the queue was empty.</summary>
    private bool TakeBatch(ChannelReader<InferenceLogEntry> reader, List<InferenceLogEntry> batch)
    {
        batch.Clear();
        var bytes = 0L;
        while (batch.Count < _options.MaxBatch && bytes < BatchBytes && reader.TryRead(out var entry))
        {
            batch.Add(entry);
            bytes += entry.InputsJson.Length + (entry.OutputsJson?.Length ?? 0);
        }
        return batch.Count > 0;
    }

    private async Task WriteBatchAsync(List<InferenceLogEntry> batch)
    {
        try
        {
            // Not cancellable: by the time the host stops, the queue is closed and what is left must still be written.
            await _sink.WriteAsync(batch, CancellationToken.None);
            Interlocked.Add(ref _written, batch.Count);
        }
        catch (Exception e)
        {
            Interlocked.Add(ref _failed, batch.Count);
            ServingMetrics.InferenceLogFailed.Add(batch.Count);
            LogWriteFailed(_logger, e, batch.Count);
        }
    }

    private InferenceLogEntry ToEntry(InferenceRecord record)
    {
        var json = t_json ??= new RecordJsonWriter();
        var (memory, outputsStart) = json.Write(record.Input, record.Output, _options.MaxRowsPerRecord);
        if (json.Oversized)
            t_json = null;
        return new InferenceLogEntry
        {
            RequestId = record.RequestId,
            Endpoint = record.Endpoint,
            ModelName = record.ModelName,
            Version = record.Version,
            Role = record.Role,
            InputsJson = memory[..outputsStart],
            OutputsJson = record.Output is null ? (ReadOnlyMemory<byte>?)null : memory[outputsStart..],
            Status = record.StatusCode,
            Error = record.Error,
            LatencyUs = (long)(record.Latency.Ticks / (double)TimeSpan.TicksPerMicrosecond),
            Time = record.Timestamp.ToUnixTimeMilliseconds(),
        };
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Closes the queue and waits until the writer has written everything in it (or the host's stop timeout).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Close();
        await _writer.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Close();
        await _writer;
        _stopping.Dispose();
    }

    /// <summary>Takes no more records, and cuts the writer's wait short so it writes out what is queued at once.</summary>
    private void Close()
    {
        _closed = true;
        _queue.Writer.TryComplete();
        if (!_writer.IsCompleted)
            _stopping.Cancel();
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The inference log is dropping records: its queue of {Capacity} is full ({Dropped} dropped so far); the sink is slower than the traffic")]
    private static partial void LogDropping(ILogger logger, int capacity, long dropped);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing {Count} inference log records failed; they are lost")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count);
}
