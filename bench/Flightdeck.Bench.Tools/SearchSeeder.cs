using System.Diagnostics;
using System.Globalization;

namespace Flightdeck.Bench.Tools;

/// <summary>
/// Seeds one experiment with N finished runs, each with 10 params, 10 metrics (one point each, plus its
/// latest_metrics summary) and 5 tags. Values are deterministic, so every seeded store answers the same query
/// with the same runs:
///   params.p0 takes 10 values ("v0".."v9"), p1 100 values, the rest are unique-ish strings;
///   metrics.m0..m9 are uniform in [0, 1) from a fixed seed.
/// The benchmark query `metrics.m0 > 0.5 AND params.p0 = 'v3'` so matches about 5% of the runs (5,000 of 100,000).
/// </summary>
internal static class SearchSeeder
{
    public const int Params = 10;
    public const int Metrics = 10;
    private const long StartTime = 1_700_000_000_000;

    public static async Task<int> RunAsync(string storeUri, int runCount, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var database = await SeedStore.OpenMigratedAsync(storeUri, ct);
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = database.IsSqlite ? await connection.BeginTransactionAsync(ct) : null;
        var experimentId = await SeedStore.CreateExperimentAsync(connection, transaction,
            $"search-bench-{DateTime.UtcNow:yyyyMMddHHmmss}-{runCount}", ct);
        var runIds = Enumerable.Range(0, runCount).Select(_ => Guid.NewGuid().ToString("N")).ToArray();

        await using (var runs = await RowWriter.OpenAsync(database, connection, transaction, "runs",
            ["run_uuid", "name", "experiment_id", "user_id", "status", "start_time", "end_time", "lifecycle_stage", "artifact_uri"], ct))
        {
            for (var i = 0; i < runCount; i++)
            {
                await runs.AddAsync([runIds[i], RunName(i), experimentId, "bench", "FINISHED", StartTime + i * 1000L,
                    StartTime + i * 1000L + 600_000, "active", $"mlflow-artifacts:/{experimentId}/{runIds[i]}/artifacts"], ct);
            }
        }

        await using (var parameters = await RowWriter.OpenAsync(database, connection, transaction, "params", ["run_uuid", "key", "value"], ct))
        {
            for (var i = 0; i < runCount; i++)
            {
                for (var k = 0; k < Params; k++)
                {
                    await parameters.AddAsync([runIds[i], "p" + k, ParamValue(i, k)], ct);
                }
            }
        }

        await using (var tags = await RowWriter.OpenAsync(database, connection, transaction, "tags", ["run_uuid", "key", "value"], ct))
        {
            for (var i = 0; i < runCount; i++)
            {
                await tags.AddAsync([runIds[i], "mlflow.runName", RunName(i)], ct);
                await tags.AddAsync([runIds[i], "mlflow.user", "bench"], ct);
                await tags.AddAsync([runIds[i], "mlflow.source.type", "LOCAL"], ct);
                await tags.AddAsync([runIds[i], "team", "team-" + (i % 7).ToString(CultureInfo.InvariantCulture)], ct);
                await tags.AddAsync([runIds[i], "stage", i % 2 == 0 ? "train" : "eval"], ct);
            }
        }

        var values = MetricValues(runCount);
        foreach (var table in new[] { "metrics", "latest_metrics" })
        {
            await using var metrics = await RowWriter.OpenAsync(database, connection, transaction, table,
                ["run_uuid", "key", "value", "is_nan", "timestamp", "step"], ct);
            for (var i = 0; i < runCount; i++)
            {
                for (var k = 0; k < Metrics; k++)
                {
                    await metrics.AddAsync([runIds[i], "m" + k, values[i, k], false, StartTime + i * 1000L + 1, 0L], ct);
                }
            }
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }

        await SeedStore.AnalyzeAsync(database, connection, ct);
        Console.WriteLine($"EXPERIMENT_ID={experimentId}");
        Console.WriteLine($"SEED_SECONDS={clock.Elapsed.TotalSeconds:F1}");
        return 0;
    }

    private static string RunName(int i) => "run-" + i.ToString(CultureInfo.InvariantCulture);

    private static string ParamValue(int run, int key) => key switch
    {
        0 => "v" + (run % 10).ToString(CultureInfo.InvariantCulture),
        1 => "v" + (run % 100).ToString(CultureInfo.InvariantCulture),
        _ => $"value-{key}-{(run * 7919L + key) % 100_003}",
    };

    private static double[,] MetricValues(int runCount)
    {
        var random = new Random(20_260_101);
        var values = new double[runCount, Metrics];
        for (var i = 0; i < runCount; i++)
        {
            for (var k = 0; k < Metrics; k++)
            {
                values[i, k] = random.NextDouble();
            }
        }

        return values;
    }
}
