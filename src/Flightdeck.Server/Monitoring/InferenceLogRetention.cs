using Dapper;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Server.Monitoring;

/// <summary>
/// Keeps the inference log to its retention (<c>--inference-log-retention</c>): on every
/// <see cref="ServerOptions.InferenceLogRetentionInterval"/> it deletes the rows whose time is older, oldest first, a
/// small batch per transaction, so the SQLite writer is never held for long and the request path's writes slip in
/// between batches.
/// </summary>
internal sealed partial class InferenceLogRetention(Database database, ServerOptions options, ILogger<InferenceLogRetention> logger)
    : BackgroundService
{
    public const int DefaultBatch = 1000;

    // The oldest rows have the lowest ids: walking the primary key in order finds them first, with no index on time.
    private const string DeleteBatch = """
        DELETE FROM inference_log WHERE id IN (SELECT id FROM inference_log WHERE time < @Cutoff ORDER BY id LIMIT @Batch)
        """;

    /// <summary>Deletes every row with time before <paramref name="cutoffMs"/> (epoch ms), <paramref name="batch"/> rows
    /// per transaction; returns how many.</summary>
    public async Task<long> DeleteOlderThanAsync(long cutoffMs, CancellationToken cancellationToken, int batch = DefaultBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        long total = 0;
        while (true)
        {
            var deleted = await database.WriteAsync((connection, transaction) => connection.ExecuteAsync(
                new CommandDefinition(DeleteBatch, new { Cutoff = cutoffMs, Batch = batch }, transaction, cancellationToken: cancellationToken)),
                cancellationToken);
            total += deleted;
            if (deleted < batch)
                return total;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.InferenceLogRetention is not { } retention)
            return;
        using var timer = new PeriodicTimer(options.InferenceLogRetentionInterval);
        do
        {
            try
            {
                var cutoff = DateTimeOffset.UtcNow.Subtract(retention).ToUnixTimeMilliseconds();
                var deleted = await DeleteOlderThanAsync(cutoff, stoppingToken);
                if (deleted > 0)
                    LogDeleted(logger, deleted, retention);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A failed pass (the database briefly unreachable) is retried on the next tick.
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} inference log rows older than {Retention}")]
    private static partial void LogDeleted(ILogger logger, long count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting old inference log rows failed; retried on the next pass")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
