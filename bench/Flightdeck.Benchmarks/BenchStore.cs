using Dapper;
using Flightdeck.Server.Storage;
using Npgsql;

namespace Flightdeck.Benchmarks;

/// <summary>A migrated, empty store with one active run: a temporary SQLite file, or a fresh PostgreSQL database.</summary>
internal sealed class BenchStore : IAsyncDisposable
{
    private const string PostgresDatabase = "flightdeck_bench_micro";
    private readonly string? _sqliteFolder;

    private BenchStore(Database database, string runId, string? sqliteFolder)
    {
        Database = database;
        RunId = runId;
        _sqliteFolder = sqliteFolder;
    }

    public Database Database { get; }

    public string RunId { get; }

    public static async Task<BenchStore> CreateAsync(string store)
    {
        string uri;
        string? folder = null;
        if (store == "sqlite")
        {
            folder = Directory.CreateTempSubdirectory("flightdeck-micro-").FullName;
            uri = $"sqlite:///{folder}/bench.db";
        }
        else
        {
            var admin = Environment.GetEnvironmentVariable("FLIGHTDECK_TEST_POSTGRES_URI")
                ?? throw new InvalidOperationException("FLIGHTDECK_TEST_POSTGRES_URI is not set: eval \"$(scripts/services.sh up)\"");
            await using (var connection = new NpgsqlConnection(BackendStoreUri.Parse(admin).ConnectionString))
            {
                await connection.OpenAsync();
                await connection.ExecuteAsync($"DROP DATABASE IF EXISTS {PostgresDatabase} WITH (FORCE)");
                await connection.ExecuteAsync($"CREATE DATABASE {PostgresDatabase}");
            }

            uri = admin[..admin.LastIndexOf('/')] + "/" + PostgresDatabase;
        }

        var database = new Database(BackendStoreUri.Parse(uri));
        await new Migrator(database).UpgradeAsync(CancellationToken.None);
        var runId = Guid.NewGuid().ToString("N");
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri)
                VALUES (@runId, 'micro', 0, 'bench', 'RUNNING', 1700000000000, NULL, 'active', 'mlflow-artifacts:/0/x/artifacts')
                """, new { runId });
        }

        return new BenchStore(database, runId, folder);
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        if (_sqliteFolder is not null)
        {
            Directory.Delete(_sqliteFolder, recursive: true);
        }
    }
}
