using System.Runtime.InteropServices;
using System.Threading.Channels;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static Flightdeck.Server.Tracking.RunLogWriter;

namespace Flightdeck.Server.Ui;

/// <summary>
/// Keeps the metric_blocks of each series (run, key) close behind its rows, so that the first chart of a long series
/// reads blocks and a short tail instead of every point (<see cref="BlockSeriesReader"/>). Log-batch tells it what was
/// logged once it is committed, when <see cref="ServerOptions.ChartSummariesOnWrite"/> is on (<see cref="Logged"/>: counts under a lock, nothing of the request is kept); a series whose uncounted points pass
/// <see cref="TailThreshold"/> is summarized in the background, as is any series whose tail a chart read found long
/// (after a restart, say) or whose blocks it found inconsistent (<see cref="Enqueue"/>). Blocks go through
/// <see cref="Database.WriteAsync{T}"/>, so on SQLite through its one writer, in chunks that hold it for milliseconds.
/// </summary>
internal sealed class MetricBlockSummarizer(Database database, ServerOptions options, ILogger<MetricBlockSummarizer> logger) : BackgroundService
{
    /// <summary>Rows a series may have past its last block before it is summarized: the most a chart reads raw at its end.</summary>
    public const int TailThreshold = 2048;

    /// <summary>Rows read (and blocks written, in one transaction) at a time: 256 blocks.</summary>
    private const int Chunk = 256 * MetricBlock.Size;

    /// <summary>Series counted at once; past this the counts start over (a chart read still finds any long tail).</summary>
    private const int MaxCountedSeries = 100_000;

    private readonly Channel<(string RunId, string Key)> _work = Channel.CreateUnbounded<(string, string)>(
        new UnboundedChannelOptions { SingleReader = true });

    private readonly Lock _lock = new();
    private readonly Dictionary<(string RunId, string Key), bool> _queued = [];
    private readonly SemaphoreSlim _one = new(1, 1);

    // Reused by each summarization (one at a time): a chunk's rows would otherwise be a fresh large-object allocation.
    private readonly List<MetricRow> _rows = new(Chunk);

    // Points counted per series since it was last queued. Counted on the caller's thread rather than queued for later:
    // a queue would keep every request's points alive until counted, and the garbage collector then promotes and
    // traces them all, which cost log-batch more than the counting does.
    private readonly Dictionary<string, Dictionary<string, int>> _counts = new(StringComparer.Ordinal);
    private int _countedSeries;

    /// <summary>Called by log-batch with the points of a batch once they are committed; never blocks on the store.</summary>
    public void Logged(string runId, List<MetricPoint> metrics)
    {
        if (!options.ChartSummariesOnWrite)
        {
            return;
        }

        List<string>? due = null;
        lock (_counts)
        {
            if (!_counts.TryGetValue(runId, out var keys))
            {
                if (_countedSeries > MaxCountedSeries)
                {
                    _counts.Clear();
                    _countedSeries = 0;
                }

                _counts[runId] = keys = new Dictionary<string, int>(StringComparer.Ordinal);
            }

            foreach (var metric in metrics)
            {
                ref var count = ref CollectionsMarshal.GetValueRefOrAddDefault(keys, metric.Key, out var known);
                _countedSeries += known ? 0 : 1;
                if (++count >= TailThreshold)
                {
                    count = 0;
                    (due ??= []).Add(metric.Key);
                }
            }
        }

        foreach (var key in due ?? [])
        {
            Enqueue(runId, key);
        }
    }

    /// <summary>Asks for a series to be summarized in the background; <paramref name="rebuild"/> drops its blocks first.</summary>
    public void Enqueue(string runId, string key, bool rebuild = false)
    {
        lock (_lock)
        {
            if (_queued.TryGetValue((runId, key), out var queuedRebuild))
            {
                _queued[(runId, key)] = queuedRebuild || rebuild;
                return;
            }

            _queued[(runId, key)] = rebuild;
        }

        _work.Writer.TryWrite((runId, key));
    }

    /// <summary>Appends a block for every full <see cref="MetricBlock.Size"/> rows past the series' last block; one series at a time.</summary>
    public async Task SummarizeAsync(string runId, string key, bool rebuild, CancellationToken ct)
    {
        await _one.WaitAsync(ct);
        try
        {
            if (rebuild)
            {
                await MetricBlockStore.DeleteAsync(database, runId, key, ct);
            }

            long number, lastSeq;
            await using (var connection = await database.OpenAsync(ct))
            {
                (number, lastSeq) = await MetricBlockStore.LastBlockAsync(connection, runId, key, ct);
            }

            while (true)
            {
                List<MetricRow> rows;
                await using (var connection = await database.OpenAsync(ct))
                {
                    rows = await MetricBlockStore.ReadRowsAsync(connection, runId, key, lastSeq + 1, long.MaxValue, Chunk, ct, _rows);
                }

                var blocks = new List<MetricBlock>(rows.Count / MetricBlock.Size);
                var span = CollectionsMarshal.AsSpan(rows);
                for (var at = 0; at + MetricBlock.Size <= span.Length; at += MetricBlock.Size)
                {
                    blocks.Add(MetricBlock.Of(++number, span.Slice(at, MetricBlock.Size)));
                }

                if (blocks.Count == 0 || !await MetricBlockStore.AppendAsync(database, runId, key, blocks, ct))
                {
                    return;
                }

                lastSeq = blocks[^1].LastSeq;
                if (rows.Count < Chunk)
                {
                    return;
                }
            }
        }
        finally
        {
            _one.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var series in _work.Reader.ReadAllAsync(stoppingToken))
            {
                bool rebuild;
                lock (_lock)
                {
                    _queued.Remove(series, out rebuild);
                }

                try
                {
                    await SummarizeAsync(series.RunId, series.Key, rebuild, stoppingToken);
                }
                catch (Exception) when (stoppingToken.IsCancellationRequested)
                {
                    break; // stopping: whatever failed, the store may already be closing
                }
                catch (Exception ex)
                {
                    // The chart read path stays exact without blocks; the next trigger tries again.
                    logger.LogWarning(ex, "Summarizing metric {Key} of run {RunId} failed", series.Key, series.RunId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
