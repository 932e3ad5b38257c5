using System.Collections.Concurrent;
using Dapper;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tests.Infrastructure;
using Flightdeck.Server.Tracking.Search;

namespace Flightdeck.Server.Tests.Search;

/// <summary>
/// A migrated store per backend, shared by the search tests of one process. Each test works in its own experiment
/// (and its own run-id prefix), so tests never see each other's rows.
/// </summary>
internal sealed class SearchStore
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<SearchStore>>> Stores = new();

    private SearchStore(Database database) => Database = database;

    public Database Database { get; }

    public SqlDialect Dialect => Database.Dialect;

    public static Task<SearchStore> ForAsync(string backend) =>
        Stores.GetOrAdd(backend, b => new Lazy<Task<SearchStore>>(() => CreateAsync(b))).Value;

    /// <summary>A migrated store of its own, not shared with other tests.</summary>
    public static Task<SearchStore> CreateSeparateAsync(string backend) => CreateAsync(backend);

    private static async Task<SearchStore> CreateAsync(string backend)
    {
        var workDir = Directory.CreateTempSubdirectory("flightdeck-search-").FullName;
        var database = new Database(BackendStoreUri.Parse(await StoreBackend.CreateAsync(backend, workDir)));
        await new Migrator(database).UpgradeAsync(CancellationToken.None);
        return new SearchStore(database);
    }

    /// <summary>A new experiment with its run-id prefix, for one test.</summary>
    public async Task<Experiment> NewExperimentAsync(string? name = null, long creationTime = 1000, long? lastUpdateTime = null,
        string lifecycleStage = "active")
    {
        var prefix = Guid.NewGuid().ToString("N")[..24];
        name ??= "exp-" + prefix;
        var id = await Database.WriteAsync((connection, transaction) => connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
            VALUES (@name, 'mlflow-artifacts:/x', @lifecycleStage, @creationTime, @lastUpdate) RETURNING experiment_id
            """,
            new { name, lifecycleStage, creationTime, lastUpdate = lastUpdateTime ?? creationTime }, transaction),
            CancellationToken.None);
        return new Experiment(this, id, prefix);
    }

    public Task ExecuteAsync(string sql, object parameters) =>
        Database.WriteAsync((connection, transaction) => connection.ExecuteAsync(sql, parameters, transaction), CancellationToken.None);

    public static DynamicParameters ToDynamic(CompiledSearch compiled, object? extra = null)
    {
        var parameters = new DynamicParameters(extra);
        foreach (var (name, value) in compiled.Parameters)
        {
            parameters.Add(name, value);
        }

        return parameters;
    }

    /// <summary>Runs the experiment query the way the tracking API does, limited to <paramref name="experimentIds"/>.</summary>
    public async Task<List<string>> SearchExperimentNamesAsync(IEnumerable<long> experimentIds, string? filter, IReadOnlyList<string>? orderBy = null)
    {
        var compiled = ExperimentSearch.Compile(filter, orderBy, Dialect);
        var sql = $"""
            SELECT e.name FROM experiments e {compiled.Joins}
            WHERE e.experiment_id IN ({string.Join(", ", experimentIds)}) AND e.lifecycle_stage IN ('active') AND ({compiled.Where})
            ORDER BY {compiled.OrderBy} LIMIT @limit OFFSET @offset
            """;
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        var parameters = ToDynamic(compiled, new { limit = 1000, offset = 0 });
        return (await connection.QueryAsync<string>(sql, parameters)).ToList();
    }
}

/// <summary>One test's experiment. Runs are named by short labels; their ids are the experiment's prefix + label.</summary>
internal sealed record Experiment(SearchStore Store, long Id, string Prefix)
{
    public string RunId(string label) => Prefix + label;

    public async Task<string> AddRunAsync(string label, long startTime = 1000, long? endTime = null, string? name = null,
        string status = "FINISHED", string user = "alice", string? artifactUri = null, string lifecycleStage = "active")
    {
        await Store.ExecuteAsync(
            """
            INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri)
            VALUES (@id, @name, @experiment, @user, @status, @startTime, @endTime, @lifecycleStage, @artifact)
            """,
            new
            {
                id = RunId(label), name = name ?? label, experiment = Id, user, status, startTime, endTime, lifecycleStage,
                artifact = artifactUri ?? $"mlflow-artifacts:/{Id}/{RunId(label)}/artifacts",
            });
        return RunId(label);
    }

    /// <summary>Sets the latest value of a metric, storing NaN as MLflow does (value 0, is_nan set).</summary>
    public Task SetMetricAsync(string label, string key, double value) => Store.ExecuteAsync(
        """
        INSERT INTO latest_metrics (run_uuid, key, value, is_nan, timestamp, step)
        VALUES (@run, @key, @value, @isNan, 0, 0)
        """,
        new { run = RunId(label), key, value = double.IsNaN(value) ? 0 : value, isNan = double.IsNaN(value) });

    public Task SetParamAsync(string label, string key, string value) =>
        Store.ExecuteAsync("INSERT INTO params (run_uuid, key, value) VALUES (@run, @key, @value)", new { run = RunId(label), key, value });

    public Task SetTagAsync(string label, string key, string value) =>
        Store.ExecuteAsync("INSERT INTO tags (run_uuid, key, value) VALUES (@run, @key, @value)", new { run = RunId(label), key, value });

    public Task SetExperimentTagAsync(string key, string value) =>
        Store.ExecuteAsync("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (@Id, @key, @value)", new { Id, key, value });

    public async Task<string> AddDatasetAsync(string name, string digest)
    {
        var uuid = Guid.NewGuid().ToString();
        await Store.ExecuteAsync(
            """
            INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, source)
            VALUES (@uuid, @Id, @name, @digest, 'local', '{}')
            """,
            new { uuid, Id, name, digest });
        return uuid;
    }

    public async Task AddInputAsync(string label, string datasetUuid, string? context = null)
    {
        await Store.ExecuteAsync("INSERT INTO run_inputs (run_uuid, dataset_uuid) VALUES (@run, @datasetUuid)",
            new { run = RunId(label), datasetUuid });
        if (context is not null)
        {
            await Store.ExecuteAsync(
                "INSERT INTO input_tags (run_uuid, dataset_uuid, key, value) VALUES (@run, @datasetUuid, 'mlflow.data.context', @context)",
                new { run = RunId(label), datasetUuid, context });
        }
    }

    /// <summary>Runs the run query the way the tracking API does and returns the labels of the runs found, in order.</summary>
    public async Task<List<string>> SearchAsync(string? filter, params string[] orderBy)
    {
        var compiled = RunSearch.Compile(filter, orderBy, Store.Dialect);
        var sql = $"""
            SELECT r.run_uuid FROM runs r {compiled.Joins}
            WHERE r.experiment_id IN (@experiment) AND r.lifecycle_stage IN ('active') AND ({compiled.Where})
            ORDER BY {compiled.OrderBy} LIMIT @limit OFFSET @offset
            """;
        await using var connection = await Store.Database.OpenAsync(CancellationToken.None);
        var parameters = SearchStore.ToDynamic(compiled, new { experiment = Id, limit = 1000, offset = 0 });
        var ids = await connection.QueryAsync<string>(sql, parameters);
        return ids.Select(id => id[Prefix.Length..]).ToList();
    }
}
