using System.Data.Common;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Server.Storage;

/// <summary>
/// Copies the SQLite write-ahead log back into the database file off the request path. Automatic checkpoints would
/// fsync inside whichever request commits the 1000th page (tens of milliseconds of tail latency), and a checkpoint
/// that never catches up with constant writes lets the log grow without bound. So each tick first checkpoints
/// passively beside the writers (the bulk of the copying and the fsync), then once more, in RESTART mode, in a short
/// pause of the in-process writer, which completes the checkpoint so the next commit reuses the log from its start
/// (rewriting the file in place is cheaper than growing a truncated one).
/// </summary>
internal sealed class SqliteCheckpointer(Database database, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

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
                    if (await CheckpointAsync(connection, "PASSIVE", stoppingToken) is not { Log: > 0 } first)
                    {
                        continue;
                    }

                    await CatchUpAsync(connection, first.Log, stoppingToken);
                }

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
