using System.Data.Common;
using System.Globalization;
using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;

namespace Flightdeck.Server.Tracking;

/// <summary>Runs, their tags and the assembly of full <see cref="Run"/> answers.</summary>
internal sealed class RunStore(Database database, IEnumerable<IRunObserver> observers)
{
    public const string RunNameTag = "mlflow.runName";
    public const string UserTag = "mlflow.user";

    private sealed class ExperimentStateRow
    {
        public string lifecycle_stage { get; set; } = "";
        public string? artifact_location { get; set; }
    }

    public sealed class LocationRow
    {
        public long experiment_id { get; set; }
        public string artifact_uri { get; set; } = "";
        public string lifecycle_stage { get; set; } = "";
    }

    private const string RunColumns = RunPageReader.RunColumns;

    public async Task<Run> CreateAsync(long experimentId, string? userId, string? runName, long? startTime, IReadOnlyList<RunTag> tags,
        CancellationToken ct)
    {
        var tagMap = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            tagMap[tag.Key!] = tag.Value!;
        }

        if (tagMap.TryGetValue(RunNameTag, out var tagName) && !string.IsNullOrEmpty(runName) && tagName != runName)
        {
            throw FlightdeckException.InvalidParameter(
                $"Both 'run_name' argument and '{RunNameTag}' tag are specified, but with different values (run_name='{Validation.Shorten(runName)}', {RunNameTag}='{Validation.Shorten(tagName)}').");
        }

        var name = !string.IsNullOrEmpty(runName) ? runName : !string.IsNullOrEmpty(tagName) ? tagName : RunNames.Next();
        tagMap[RunNameTag] = name;
        var user = tagMap.TryGetValue(UserTag, out var tagUser) && tagUser.Length > 0 ? tagUser
            : !string.IsNullOrEmpty(userId) ? userId : "unknown";
        if (user.Length > Validation.MaxUserIdLength)
        {
            throw FlightdeckException.InvalidParameter($"The user name exceeds the maximum length of {Validation.MaxUserIdLength} characters.");
        }
        var runId = Guid.NewGuid().ToString("N");
        var start = startTime ?? Clock.NowMs();

        await database.WriteAsync(async (connection, transaction) =>
        {
            var experiment = await connection.QuerySingleOrDefaultAsync<ExperimentStateRow>(new CommandDefinition(
                "SELECT lifecycle_stage, artifact_location FROM experiments WHERE experiment_id = @experimentId",
                new { experimentId }, transaction, cancellationToken: ct));
            if (experiment is null)
            {
                throw Validation.ExperimentNotFound(experimentId.ToString(CultureInfo.InvariantCulture));
            }

            if (experiment.lifecycle_stage != LifecycleStage.Active)
            {
                throw FlightdeckException.InvalidParameter(
                    $"The experiment {experimentId} must be in the 'active' state. Current state is {experiment.lifecycle_stage}.");
            }

            var artifactUri = $"{(experiment.artifact_location ?? $"mlflow-artifacts:/{experimentId}").TrimEnd('/')}/{runId}/artifacts";
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri)
                VALUES (@runId, @name, @experimentId, @user, 'RUNNING', @start, NULL, 'active', @artifactUri)
                """, new { runId, name, experimentId, user, start, artifactUri }, transaction, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO tags (run_uuid, key, value) VALUES (@runId, @Key, @Value)",
                tagMap.Select(t => new { runId, t.Key, t.Value }), transaction, cancellationToken: ct));
            await NotifyObserversAsync(connection, transaction, runId, ct);
        }, ct);

        return await GetAsync(runId, ct);
    }

    public async Task<Run> GetAsync(string runId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        List<RunInfo> infos;
        await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(
            $"SELECT {RunColumns} FROM runs r WHERE r.run_uuid = @runId", new { runId }, cancellationToken: ct)))
        {
            infos = await RunPageReader.ReadInfosAsync(reader, ct);
        }

        return infos.Count == 0 ? throw Validation.RunNotFound(runId) : (await RunPageReader.AssembleAsync(connection, infos, ct))[0];
    }

    /// <summary>Where the run keeps its artifacts and whether it is active, or null when there is no such run.</summary>
    public async Task<LocationRow?> FindLocationAsync(string runId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<LocationRow>(new CommandDefinition(
            "SELECT experiment_id, artifact_uri, lifecycle_stage FROM runs WHERE run_uuid = @runId", new { runId }, cancellationToken: ct));
    }

    /// <summary>Runs a compiled search (see Search/) and assembles the page of runs it selects.</summary>
    public async Task<List<Run>> QueryAsync(string sql, DynamicParameters parameters, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        List<RunInfo> infos;
        await using (var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, parameters, cancellationToken: ct)))
        {
            infos = await RunPageReader.ReadInfosAsync(reader, ct);
        }

        return await RunPageReader.AssembleAsync(connection, infos, ct);
    }

    public static string SelectColumns => RunColumns;

    public async Task<RunInfo> UpdateAsync(string runId, RunStatus? status, long? endTime, string? runName, CancellationToken ct)
    {
        await database.WriteAsync(async (connection, transaction) =>
        {
            await RequireActiveAsync(connection, transaction, runId, ct);
            if (status is not null || endTime is not null)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE runs SET status = COALESCE(@status, status), end_time = COALESCE(@endTime, end_time) WHERE run_uuid = @runId",
                    new { status = status is null ? null : RunStatusConverter.Instance.NameOf(status.Value), endTime, runId },
                    transaction, cancellationToken: ct));
                await NotifyObserversAsync(connection, transaction, runId, ct);
            }

            if (!string.IsNullOrEmpty(runName))
            {
                await SetNameAsync(connection, transaction, runId, runName, ct);
            }
        }, ct);
        return (await GetAsync(runId, ct)).Info;
    }

    private async Task NotifyObserversAsync(DbConnection connection, DbTransaction transaction, string runId, CancellationToken ct)
    {
        foreach (var observer in observers)
        {
            await observer.RunChangedAsync(connection, transaction, runId, ct);
        }
    }

    public Task DeleteAsync(string runId, CancellationToken ct) => SetLifecycleAsync(runId, LifecycleStage.Deleted, ct);

    public Task RestoreAsync(string runId, CancellationToken ct) => SetLifecycleAsync(runId, LifecycleStage.Active, ct);

    public Task DeleteTagAsync(string runId, string key, CancellationToken ct) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await RequireActiveAsync(connection, transaction, runId, ct);
            var deleted = await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM tags WHERE run_uuid = @runId AND key = @key", new { runId, key }, transaction, cancellationToken: ct));
            if (deleted == 0)
            {
                throw FlightdeckException.NotFound($"No tag with name: {Validation.Shorten(key)} in run with id {runId}");
            }
        }, ct);

    /// <summary>Fails unless the run exists and is active: logging to a deleted run is refused, as in MLflow.</summary>
    public static async Task RequireActiveAsync(DbConnection connection, DbTransaction transaction, string runId, CancellationToken ct)
    {
        var stage = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT lifecycle_stage FROM runs WHERE run_uuid = @runId", new { runId }, transaction, cancellationToken: ct));
        if (stage is null)
        {
            throw Validation.RunNotFound(runId);
        }

        if (stage != LifecycleStage.Active)
        {
            throw FlightdeckException.InvalidParameter($"The run {runId} must be in the 'active' state. Current state is {stage}.");
        }
    }

    /// <summary>Keeps the run's name column and its mlflow.runName tag in step.</summary>
    public static async Task SetNameAsync(DbConnection connection, DbTransaction transaction, string runId, string name, CancellationToken ct)
    {
        if (name.Length > Validation.MaxRunNameLength)
        {
            throw FlightdeckException.InvalidParameter($"Run name '{Validation.Shorten(name)}' exceeds the maximum length of {Validation.MaxRunNameLength} characters");
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE runs SET name = @name WHERE run_uuid = @runId;
            INSERT INTO tags (run_uuid, key, value) VALUES (@runId, 'mlflow.runName', @name)
            ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value;
            """, new { runId, name }, transaction, cancellationToken: ct));
    }

    private Task SetLifecycleAsync(string runId, string stage, CancellationToken ct) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var updated = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE runs SET lifecycle_stage = @stage, deleted_time = @deletedTime WHERE run_uuid = @runId",
                new { stage, deletedTime = stage == LifecycleStage.Deleted ? Clock.NowMs() : (long?)null, runId },
                transaction, cancellationToken: ct));
            if (updated == 0)
            {
                throw Validation.RunNotFound(runId);
            }
        }, ct);
}
