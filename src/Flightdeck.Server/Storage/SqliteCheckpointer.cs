using System.Data.Common;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Server.Storage;

/// <summary>
/// Copies the SQLite write-ahead log back into the database file off the request path. Automatic checkpoints would
/// fsync inside whichever request commits the 1000th page (tens of milliseconds of tail latency). So each tick
/// checkpoints passively beside the writers (the copying and its fsyncs). When the writes pause long enough for a
/// passive pass to copy the whole log, the next commit starts the log over by itself.
/// Under constant writes that never happens, and the log would grow without bound; once it passes
/// <see cref="SqliteCheckpointPolicy.RestartAtFrames"/> the tick ends with a RESTART checkpoint in a short pause of the
/// in-process writer, so the next commit reuses the log from its start (rewriting the file in place is cheaper than
/// growing a truncated one). That pause is a stall of every write: it copies and fsyncs what the passive passes left,
/// and the first commit after it fsyncs the new log header. Taken on every tick it cost 1–2% of log-batch requests
/// 15–140 ms on a busy machine; the threshold makes it rare.
/// </summary>
internal sealed class SqliteCheckpointer(Database database, ILogger<SqliteCheckpointer> logger, SqliteCheckpointPolicy? policy = null)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly long _restartAtFrames = (policy ?? SqliteCheckpointPolicy.Default).RestartAtFrames;
    private int _writerPauses;

    /// <summary>How many times the writer has been paused for a RESTART checkpoint.</summary>
    internal int WriterPauses => Volatile.Read(ref _writerPauses);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.IsSqlite)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using (var connection = await database.OpenAsync(stoppingToken))
                {
                    if (await CheckpointAsync(connection, "PASSIVE", stoppingToken) is not { } first || first.Log < _restartAtFrames)
                    {
                        continue;
                    }

                    await CatchUpAsync(connection, first.Log, stoppingToken);
                }

                Interlocked.Increment(ref _writerPauses);
                await database.WithSqliteWriterAsync(writer => RestartAsync(writer, stoppingToken), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "SQLite checkpoint failed; retrying in {Interval}", Interval);
            }
        }
    }

    /// <summary>
    /// Under constant writes a passive pass over a large log takes long enough for many more frames to be appended, and
    /// the writer's pause would have to copy and sync all of them. Each further passive pass copies what the previous
    /// one left, so the remainder shrinks before the pause.
    /// </summary>
    private static async Task CatchUpAsync(DbConnection connection, long logFrames, CancellationToken ct)
    {
        for (var pass = 0; pass < MaxCatchUpPasses; pass++)
        {
            if (await CheckpointAsync(connection, "PASSIVE", ct) is not { } next || next.Log - logFrames <= SmallRemainderFrames)
            {
                return;
            }

            logFrames = next.Log;
        }
    }

    private const int MaxCatchUpPasses = 3;
    private const long SmallRemainderFrames = 256;

    /// <summary>
    /// RESTART waits (through the busy handler) for readers of the old log; with the writer's 30 s timeout a steady
    /// stream of searches could hold every write that long. So it may wait briefly, and otherwise tries next tick.
    /// </summary>
    private static async Task RestartAsync(DbConnection writer, CancellationToken ct)
    {
        await SetBusyTimeoutAsync(writer, 50, ct);
        try
        {
            await CheckpointAsync(writer, "RESTART", ct);
        }
        finally
        {
            await SetBusyTimeoutAsync(writer, 30_000, ct);
        }
    }

    private static async Task SetBusyTimeoutAsync(DbConnection connection, int milliseconds, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout={milliseconds}";
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<(long Log, long Copied)?> CheckpointAsync(DbConnection connection, string mode, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode})";
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(1), reader.GetInt64(2)) : null;
    }
}

/// <summary>When <see cref="SqliteCheckpointer"/> pauses the writer to restart the write-ahead log.</summary>
/// <param name="RestartAtFrames">The log length (in pages) from which a tick restarts it.</param>
internal sealed record SqliteCheckpointPolicy(long RestartAtFrames)
{
    /// <summary>
    /// 128 MB of log at the default 4 KB page. Log-batch of 10 metrics spread over 20 runs appends about 8 pages a
    /// request, so at 1,000 requests a second the writer pauses every 4 s rather than twice a second.
    /// </summary>
    public static SqliteCheckpointPolicy Default { get; } = new(32_768);
}
