using System.Diagnostics;
using Flightdeck.Bench.Tools;

namespace Flightdeck.Bench.Ui;

/// <summary>Seeds one run with M metrics ("metric_00"…) of N points each (steps 0..N-1), as a long training job logs them.</summary>
internal static class ManyMetricsSeeder
{
    public static async Task<int> RunAsync(string storeUri, int metricCount, int points, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var database = await SeedStore.OpenMigratedAsync(storeUri, ct);
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = database.IsSqlite ? await connection.BeginTransactionAsync(ct) : null;
        var experimentId = await SeedStore.CreateExperimentAsync(connection, transaction, $"ui-charts-bench-{DateTime.UtcNow:yyyyMMddHHmmss}", ct);
        var runId = Guid.NewGuid().ToString("N");
        const long Start = 1_700_000_000_000;

        await using (var runs = await RowWriter.OpenAsync(database, connection, transaction, "runs",
            ["run_uuid", "name", "experiment_id", "user_id", "status", "start_time", "end_time", "lifecycle_stage", "artifact_uri"], ct))
        {
            await runs.AddAsync([runId, "many-metrics", experimentId, "bench", "FINISHED", Start, Start + points * 10L, "active",
                $"mlflow-artifacts:/{experimentId}/{runId}/artifacts"], ct);
        }

        await using (var metrics = await RowWriter.OpenAsync(database, connection, transaction, "metrics",
            ["run_uuid", "key", "value", "is_nan", "timestamp", "step"], ct))
        {
            for (var m = 0; m < metricCount; m++)
            {
                for (var step = 0L; step < points; step++)
                {
                    await metrics.AddAsync([runId, Key(m), Value(m, step), false, Start + step * 10, step], ct);
                }
            }
        }

        await using (var latest = await RowWriter.OpenAsync(database, connection, transaction, "latest_metrics",
            ["run_uuid", "key", "value", "is_nan", "timestamp", "step"], ct))
        {
            var last = points - 1L;
            for (var m = 0; m < metricCount; m++)
            {
                await latest.AddAsync([runId, Key(m), Value(m, last), false, Start + last * 10, last], ct);
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

    private static string Key(int metric) => $"metric_{metric:D2}";

    // A decaying curve with noise, different per metric, so each chart has real shape to downsample.
    private static double Value(int metric, long step) =>
        (2.0 + metric * 0.1) / (1 + step * 0.0005) + Math.Sin(step * 0.01 + metric) * 0.05 + ((step * 7919 + metric) % 101) * 1e-4;
}
