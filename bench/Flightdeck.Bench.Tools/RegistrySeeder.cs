using System.Diagnostics;
using System.Globalization;
using Flightdeck.Contracts;

namespace Flightdeck.Bench.Tools;

/// <summary>
/// Seeds the model registry with N registered models ("model-0".."model-{N-1}") of 10 versions each, deterministically:
///   each model has tags team = "team-{i % 20}" and task = classification (i % 3 == 0) or regression, and aliases
///   champion → 10 and challenger → 9;
///   versions 1-5 are Archived, 6-8 None, 9 Staging, 10 Production; each has tags validated = "yes" for one version
///   in four ((i + v) % 4 == 0) and framework = mlnet or onnx, and a runs:/ source.
/// So <c>name LIKE 'model-12%'</c> matches 111 of 10,000 models, <c>tags.team = 'team-7'</c> 500 models.
/// </summary>
internal static class RegistrySeeder
{
    public const int VersionsPerModel = 10;
    private const long StartTime = 1_700_000_000_000;

    public static async Task<int> RunAsync(string storeUri, int modelCount, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var database = await SeedStore.OpenMigratedAsync(storeUri, ct);
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = database.IsSqlite ? await connection.BeginTransactionAsync(ct) : null;

        await using (var models = await RowWriter.OpenAsync(database, connection, transaction, "registered_models",
            ["name", "creation_time", "last_updated_time", "description", "last_version"], ct))
        {
            for (var i = 0; i < modelCount; i++)
            {
                await models.AddAsync([Name(i), ModelTime(i), VersionTime(i, VersionsPerModel), $"Benchmark model {i}", VersionsPerModel], ct);
            }
        }

        await using (var tags = await RowWriter.OpenAsync(database, connection, transaction, "registered_model_tags", ["name", "key", "value"], ct))
        {
            for (var i = 0; i < modelCount; i++)
            {
                await tags.AddAsync([Name(i), "team", "team-" + Text(i % 20)], ct);
                await tags.AddAsync([Name(i), "task", i % 3 == 0 ? "classification" : "regression"], ct);
            }
        }

        await using (var versions = await RowWriter.OpenAsync(database, connection, transaction, "model_versions",
            ["name", "version", "creation_time", "last_updated_time", "description", "user_id", "current_stage", "source", "storage_location",
             "run_id", "run_link", "status"], ct))
        {
            for (var i = 0; i < modelCount; i++)
            {
                for (var v = 1; v <= VersionsPerModel; v++)
                {
                    var runId = RunId(i, v);
                    await versions.AddAsync([Name(i), v, VersionTime(i, v), VersionTime(i, v), null, "bench", Stage(v), $"runs:/{runId}/model",
                        $"mlflow-artifacts:/1/{runId}/artifacts/model", runId, null, "READY"], ct);
                }
            }
        }

        await using (var tags = await RowWriter.OpenAsync(database, connection, transaction, "model_version_tags", ["name", "version", "key", "value"], ct))
        {
            for (var i = 0; i < modelCount; i++)
            {
                for (var v = 1; v <= VersionsPerModel; v++)
                {
                    await tags.AddAsync([Name(i), v, "validated", (i + v) % 4 == 0 ? "yes" : "no"], ct);
                    await tags.AddAsync([Name(i), v, "framework", v % 2 == 0 ? "mlnet" : "onnx"], ct);
                }
            }
        }

        await using (var aliases = await RowWriter.OpenAsync(database, connection, transaction, "registered_model_aliases", ["name", "alias", "version"], ct))
        {
            for (var i = 0; i < modelCount; i++)
            {
                await aliases.AddAsync([Name(i), "champion", VersionsPerModel], ct);
                await aliases.AddAsync([Name(i), "challenger", VersionsPerModel - 1], ct);
            }
        }

        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }

        await SeedStore.AnalyzeAsync(database, connection, ct);
        Console.WriteLine($"MODELS={modelCount}");
        Console.WriteLine($"VERSIONS={modelCount * VersionsPerModel}");
        Console.WriteLine($"SEED_SECONDS={clock.Elapsed.TotalSeconds:F1}");
        return 0;
    }

    private static string Name(int i) => "model-" + Text(i);

    private static long ModelTime(int i) => StartTime + i * 1000L;

    private static long VersionTime(int i, int v) => ModelTime(i) + v * 60_000L;

    private static string Stage(int v) => v switch
    {
        VersionsPerModel => ModelStage.Production,
        VersionsPerModel - 1 => ModelStage.Staging,
        <= 5 => ModelStage.Archived,
        _ => ModelStage.None,
    };

    /// <summary>A 32-hex run id derived from the model and version, so every seeded store holds the same rows.</summary>
    private static string RunId(int i, int v) => ((long)i * VersionsPerModel + v).ToString("x32", CultureInfo.InvariantCulture);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
