using System.Data.Common;
using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;

namespace Flightdeck.Server.Tracking;

/// <summary>Experiments and their tags in the backend store.</summary>
internal sealed class ExperimentStore(Database database)
{
    public const long DefaultExperimentId = 0;

    private sealed class ExperimentRow
    {
        public long experiment_id { get; set; }
        public string name { get; set; } = "";
        public string? artifact_location { get; set; }
        public string lifecycle_stage { get; set; } = "";
        public long creation_time { get; set; }
        public long last_update_time { get; set; }
    }

    private sealed class TagRow
    {
        public long experiment_id { get; set; }
        public string key { get; set; } = "";
        public string value { get; set; } = "";
    }

    public async Task<string> CreateAsync(string name, string? artifactLocation, IReadOnlyList<ExperimentTag> tags, CancellationToken ct)
    {
        var now = Clock.NowMs();
        try
        {
            return await database.WriteAsync(async (connection, transaction) =>
            {
                var existing = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                    "SELECT experiment_id FROM experiments WHERE name = @name", new { name }, transaction, cancellationToken: ct));
                if (existing is not null)
                {
                    throw AlreadyExists(name);
                }

                var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    """
                    INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                    VALUES (@name, @artifactLocation, 'active', @now, @now) RETURNING experiment_id
                    """, new { name, artifactLocation, now }, transaction, cancellationToken: ct));
                if (string.IsNullOrEmpty(artifactLocation))
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        "UPDATE experiments SET artifact_location = @location WHERE experiment_id = @id",
                        new { location = $"mlflow-artifacts:/{id}", id }, transaction, cancellationToken: ct));
                }

                foreach (var tag in tags.GroupBy(t => t.Key).Select(g => g.Last()))
                {
                    await UpsertTagAsync(connection, transaction, id, tag.Key, tag.Value, ct);
                }

                return id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }, ct);
        }
        catch (DbException ex) when (IsUniqueViolation(ex))
        {
            // Another writer (possibly another server process) created the name between our check and insert.
            throw AlreadyExists(name);
        }
    }

    public async Task<Experiment?> FindAsync(long id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<ExperimentRow>(new CommandDefinition(
            "SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time FROM experiments WHERE experiment_id = @id",
            new { id }, cancellationToken: ct));
        return row is null ? null : (await ToExperimentsAsync(connection, [row], ct))[0];
    }

    public async Task<Experiment> GetAsync(long id, CancellationToken ct) =>
        await FindAsync(id, ct) ?? throw Validation.ExperimentNotFound(id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async Task<Experiment> GetByNameAsync(string name, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<ExperimentRow>(new CommandDefinition(
            "SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time FROM experiments WHERE name = @name",
            new { name }, cancellationToken: ct));
        return row is null
            ? throw FlightdeckException.NotFound($"Could not find experiment with name '{Validation.Shorten(name)}'")
            : (await ToExperimentsAsync(connection, [row], ct))[0];
    }

    /// <summary>Runs a compiled search (see Search/) and returns one page.</summary>
    public async Task<List<Experiment>> QueryAsync(string sql, DynamicParameters parameters, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = (await connection.QueryAsync<ExperimentRow>(new CommandDefinition(sql, parameters, cancellationToken: ct))).ToList();
        return await ToExperimentsAsync(connection, rows, ct);
    }

    public async Task<List<Experiment>> ListAsync(ViewType viewType, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = (await connection.QueryAsync<ExperimentRow>(new CommandDefinition(
            $"""
            SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time FROM experiments
            WHERE lifecycle_stage IN ({LifecycleStagesSql(viewType)}) ORDER BY experiment_id
            """, cancellationToken: ct))).ToList();
        return await ToExperimentsAsync(connection, rows, ct);
    }

    public Task RenameAsync(long id, string newName, CancellationToken ct) =>
        ChangeAsync(id, ct, async (connection, transaction, now) =>
        {
            try
            {
                var clash = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                    "SELECT experiment_id FROM experiments WHERE name = @newName AND experiment_id <> @id",
                    new { newName, id }, transaction, cancellationToken: ct));
                if (clash is not null)
                {
                    throw AlreadyExists(newName);
                }

                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE experiments SET name = @newName, last_update_time = @now WHERE experiment_id = @id",
                    new { newName, now, id }, transaction, cancellationToken: ct));
            }
            catch (DbException ex) when (IsUniqueViolation(ex))
            {
                throw AlreadyExists(newName);
            }
        }, requireActive: true);

    /// <summary>Marks the experiment and its runs deleted (MLflow's soft delete); gc purges them later.</summary>
    public Task DeleteAsync(long id, CancellationToken ct)
    {
        if (id == DefaultExperimentId)
        {
            throw FlightdeckException.InvalidParameter("Cannot delete the default experiment '0'. This is an internally reserved experiment.");
        }

        return SetLifecycleAsync(id, LifecycleStage.Deleted, ct);
    }

    public Task RestoreAsync(long id, CancellationToken ct) => SetLifecycleAsync(id, LifecycleStage.Active, ct);

    public Task SetTagAsync(long id, string key, string value, CancellationToken ct) =>
        ChangeAsync(id, ct, (connection, transaction, _) => UpsertTagAsync(connection, transaction, id, key, value, ct), requireActive: true);

    public Task DeleteTagAsync(long id, string key, CancellationToken ct) =>
        ChangeAsync(id, ct, async (connection, transaction, _) =>
        {
            var deleted = await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM experiment_tags WHERE experiment_id = @id AND key = @key", new { id, key }, transaction, cancellationToken: ct));
            if (deleted == 0)
            {
                throw FlightdeckException.NotFound($"No tag with name: {Validation.Shorten(key)} in experiment with id {id}");
            }
        }, requireActive: true);

    public static string LifecycleStagesSql(ViewType viewType) => viewType switch
    {
        ViewType.DeletedOnly => "'deleted'",
        ViewType.All => "'active', 'deleted'",
        _ => "'active'",
    };

    private Task SetLifecycleAsync(long id, string stage, CancellationToken ct) =>
        ChangeAsync(id, ct, async (connection, transaction, now) =>
        {
            var deletedTime = stage == LifecycleStage.Deleted ? now : (long?)null;
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE experiments SET lifecycle_stage = @stage, deleted_time = @deletedTime, last_update_time = @now WHERE experiment_id = @id",
                new { stage, deletedTime, now, id }, transaction, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE runs SET lifecycle_stage = @stage, deleted_time = @deletedTime WHERE experiment_id = @id",
                new { stage, deletedTime, id }, transaction, cancellationToken: ct));
        }, requireActive: false);

    private Task ChangeAsync(long id, CancellationToken ct, Func<DbConnection, DbTransaction, long, Task> change, bool requireActive) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var stage = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT lifecycle_stage FROM experiments WHERE experiment_id = @id", new { id }, transaction, cancellationToken: ct));
            if (stage is null)
            {
                throw Validation.ExperimentNotFound(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (requireActive && stage != LifecycleStage.Active)
            {
                throw FlightdeckException.InvalidParameter($"The experiment {id} must be in the 'active' state. Current state is {stage}.");
            }

            await change(connection, transaction, Clock.NowMs());
        }, ct);

    private static Task UpsertTagAsync(DbConnection connection, DbTransaction transaction, long id, string key, string value, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO experiment_tags (experiment_id, key, value) VALUES (@id, @key, @value)
            ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value
            """, new { id, key, value }, transaction, cancellationToken: ct));

    private static async Task<List<Experiment>> ToExperimentsAsync(DbConnection connection, IReadOnlyList<ExperimentRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var ids = rows.Select(r => r.experiment_id).ToArray();
        var tags = (await connection.QueryAsync<TagRow>(new CommandDefinition(
                $"SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN ({string.Join(",", ids)})", cancellationToken: ct)))
            .ToLookup(t => t.experiment_id);
        return rows.Select(r => new Experiment
        {
            ExperimentId = r.experiment_id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Name = r.name,
            ArtifactLocation = r.artifact_location,
            LifecycleStage = r.lifecycle_stage,
            CreationTime = r.creation_time,
            LastUpdateTime = r.last_update_time,
            Tags = tags[r.experiment_id].Select(t => new ExperimentTag(t.key, t.value)).ToList(),
        }).ToList();
    }

    private static FlightdeckException AlreadyExists(string name) =>
        FlightdeckException.AlreadyExists($"Experiment '{Validation.Shorten(name)}' already exists.");

    internal static bool IsUniqueViolation(DbException ex) =>
        ex.SqlState == "23505" // PostgreSQL unique_violation
        || (ex is Microsoft.Data.Sqlite.SqliteException sqlite && sqlite.SqliteErrorCode == 19); // SQLITE_CONSTRAINT
}
