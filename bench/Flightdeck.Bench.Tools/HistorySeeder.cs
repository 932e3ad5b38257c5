using System.Diagnostics;

namespace Flightdeck.Bench.Tools;

/// <summary>Seeds one run whose metrics have N points each (steps 0..N-1), as a long training job would log them.</summary>
internal static class HistorySeeder
{
    /// <summary>The history benchmark's run: one metric, "loss".</summary>
    public static Task<int> RunAsync(string storeUri, int points, CancellationToken ct) =>
        RunAsync(storeUri, "history-bench", "history-run", ["loss"], points, (_, step) => 2.0 / (1 + step * 0.001) + (step % 17) * 1e-4, ct);

    /// <summary>One run named <paramref name="runName"/> in a new experiment, with every key of <paramref name="keys"/>
    /// logged at steps 0..points-1 with <paramref name="value"/>(key index, step).</summary>
    public static async Task<int> RunAsync(string storeUri, string experimentPrefix, string runName, IReadOnlyList<string> keys, int points,
        Func<int, long, double> value, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var database = await SeedStore.OpenMigratedAsync(storeUri, ct);
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = database.IsSqlite ? await connection.BeginTransactionAsync(ct) : null;
        var experimentId = await SeedStore.CreateExperimentAsync(connection, transaction, $"{experimentPrefix}-{DateTime.UtcNow:yyyyMMddHHmmss}", ct);
        var runId = Guid.NewGuid().ToString("N");
        const long Start = 1_700_000_000_000;

        await using (var runs = await RowWriter.OpenAsync(database, connection, transaction, "runs",
            ["run_uuid", "name", "experiment_id", "user_id", "status", "start_time", "end_time", "lifecycle_stage", "artifact_uri"], ct))
        {
            await runs.AddAsync([runId, runName, experimentId, "bench", "FINISHED", Start, Start + points * 10L, "active",
                $"mlflow-artifacts:/{experimentId}/{runId}/artifacts"], ct);
        }

        await using (var metrics = await RowWriter.OpenAsync(database, connection, transaction, "metrics",
            ["run_uuid", "key", "value", "is_nan", "timestamp", "step"], ct))
        {
            for (var k = 0; k < keys.Count; k++)
            {
                for (var step = 0L; step < points; step++)
                {
                    await metrics.AddAsync([runId, keys[k], value(k, step), false, Start + step * 10, step], ct);
                }
            }
        }

        await using (var latest = await RowWriter.OpenAsync(database, connection, transaction, "latest_metrics",
            ["run_uuid", "key", "value", "is_nan", "timestamp", "step"], ct))
        {
            var last = points - 1L;
            for (var k = 0; k < keys.Count; k++)
            {
                await latest.AddAsync([runId, keys[k], value(k, last), false, Start + last * 10, last], ct);
            }
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }

        await SeedStore.AnalyzeAsync(database, connection, ct);
        Console.WriteLine($"RUN_ID={runId}");
        Console.WriteLine($"SEED_SECONDS={clock.Elapsed.TotalSeconds:F1}");
        return 0;
    }
}
