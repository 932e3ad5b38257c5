using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Registry;

/// <summary>Model versions, their tags and stages. Every change is recorded in the registry history.</summary>
internal sealed class ModelVersionStore(Database database, RunStore runs)
{
    public sealed record NewVersion(
        string Name, string Source, string? RunId, string? RunLink, string? Description, IReadOnlyList<(string Key, string Value)> Tags);

    public async Task<ModelVersion> CreateAsync(NewVersion request, string actor, CancellationToken ct)
    {
        var storageLocation = await ResolveSourceAsync(request.Source, request.RunId, ct);
        var name = request.Name;
        return await RegistryWrites.ChangeModelAsync(database, name, actor, async write =>
        {
            // The model row is locked, so this is the only writer allocating a number for this model right now, and a
            // rollback returns the number: versions are unique and gapless. Deleted numbers are never reused.
            var version = await write.Connection.ExecuteScalarAsync<int>(write.Command(
                "UPDATE registered_models SET last_version = last_version + 1, last_updated_time = @Now WHERE name = @name RETURNING last_version",
                new { write.Now, name }));
            await write.Connection.ExecuteAsync(write.Command(
                """
                INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage,
                                            source, storage_location, run_id, run_link, status)
                VALUES (@name, @version, @Now, @Now, @Description, @Actor, @stage, @Source, @storageLocation, @RunId, @RunLink, 'READY')
                """,
                new { name, version, write.Now, request.Description, write.Actor, stage = ModelStage.None, request.Source, storageLocation, request.RunId, request.RunLink }));
            foreach (var (key, value) in request.Tags.GroupBy(t => t.Key).Select(g => g.Last()))
            {
                await UpsertTagAsync(write, name, version, key, value);
            }

            await write.RecordAsync(new RegistryChange(name, RegistryEventType.VersionCreated, version,
                After: RegistryEvents.State(("version", version), ("source", request.Source), ("run_id", request.RunId), ("current_stage", ModelStage.None))));
            return (await RegistryReader.FindVersionAsync(write.Connection, write.Transaction, name, version, ct))!;
        }, ct);
    }

    public async Task<ModelVersion> GetAsync(string name, int version, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await RegistryReader.FindVersionAsync(connection, null, name, version, ct) ?? throw RegistryValidation.VersionNotFound(name, version);
    }

    public async Task<string> DownloadUriAsync(string name, int version, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await RegistryReader.FindVersionRowAsync(connection, null, name, version, ct) ?? throw RegistryValidation.VersionNotFound(name, version);
        return row.storage_location;
    }

    public async Task<List<ModelVersion>> QueryAsync(string sql, DynamicParameters parameters, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = (await connection.QueryAsync<RegistryReader.VersionRow>(new CommandDefinition(sql, parameters, cancellationToken: ct))).ToList();
        return await RegistryReader.ToVersionsAsync(connection, null, rows, ct);
    }

    public Task<ModelVersion> UpdateAsync(string name, int version, string? description, string actor, CancellationToken ct) =>
        ChangeVersionAsync(name, version, actor, async (write, row) =>
        {
            await write.Connection.ExecuteAsync(write.Command(
                "UPDATE model_versions SET description = @description, last_updated_time = @Now WHERE name = @name AND version = @version",
                new { description, write.Now, name, version }));
            await write.RecordAsync(new RegistryChange(name, RegistryEventType.VersionDescriptionChanged, version,
                Before: RegistryEvents.State(("description", row.description)), After: RegistryEvents.State(("description", description))));
        }, ct);

    public Task DeleteAsync(string name, int version, string actor, CancellationToken ct) =>
        ChangeVersionAsync(name, version, actor, async (write, row) =>
        {
            foreach (var (alias, _) in await RegisteredModelStore.AliasesAsync(write, name, version))
            {
                await write.RecordAsync(new RegistryChange(name, RegistryEventType.AliasDeleted, version, alias,
                    Before: RegistryEvents.State(("alias", alias), ("version", version))));
            }

            var key = new { name, version };
            await write.Connection.ExecuteAsync(write.Command("DELETE FROM registered_model_aliases WHERE name = @name AND version = @version", key));
            await write.Connection.ExecuteAsync(write.Command("DELETE FROM model_version_tags WHERE name = @name AND version = @version", key));
            await write.Connection.ExecuteAsync(write.Command("DELETE FROM model_versions WHERE name = @name AND version = @version", key));
            await write.TouchModelAsync();
            await write.RecordAsync(new RegistryChange(name, RegistryEventType.VersionDeleted, version,
                Before: RegistryEvents.State(("version", version), ("source", row.source), ("run_id", row.run_id), ("current_stage", row.current_stage))));
        }, ct, returnVersion: false);

    public Task SetTagAsync(string name, int version, string key, string value, string actor, CancellationToken ct) =>
        ChangeVersionAsync(name, version, actor, async (write, _) =>
        {
            var before = await TagValueAsync(write, name, version, key);
            await UpsertTagAsync(write, name, version, key, value);
            await write.RecordAsync(new RegistryChange(name, RegistryEventType.VersionTagSet, version,
                Before: before is null ? null : RegistryEvents.State((key, before)), After: RegistryEvents.State((key, value))));
        }, ct, returnVersion: false);

    /// <summary>Deleting a tag that is not there succeeds, as in MLflow.</summary>
    public Task DeleteTagAsync(string name, int version, string key, string actor, CancellationToken ct) =>
        ChangeVersionAsync(name, version, actor, async (write, _) =>
        {
            var before = await TagValueAsync(write, name, version, key);
            if (before is null)
            {
                return;
            }

            await write.Connection.ExecuteAsync(write.Command(
                "DELETE FROM model_version_tags WHERE name = @name AND version = @version AND key = @key", new { name, version, key }));
            await write.RecordAsync(new RegistryChange(name, RegistryEventType.VersionTagDeleted, version, Before: RegistryEvents.State((key, before))));
        }, ct, returnVersion: false);

    /// <summary>Moves a version to a stage; with <paramref name="archiveExisting"/>, the model's other versions in that stage go to Archived.</summary>
    public Task<ModelVersion> TransitionAsync(string name, int version, string stage, bool archiveExisting, string actor, CancellationToken ct)
    {
        if (archiveExisting && stage is not (ModelStage.Staging or ModelStage.Production))
        {
            throw FlightdeckException.InvalidParameter(
                $"Model version transition cannot archive existing model versions because '{stage}' is not an Active stage. Valid stages are Staging, Production");
        }

        return ChangeVersionAsync(name, version, actor, async (write, row) =>
        {
            if (archiveExisting)
            {
                var others = (await write.Connection.QueryAsync<int>(write.Command(
                    "SELECT version FROM model_versions WHERE name = @name AND current_stage = @stage AND version <> @version ORDER BY version",
                    new { name, stage, version }))).ToList();
                foreach (var other in others)
                {
                    await SetStageAsync(write, name, other, stage, ModelStage.Archived);
                }
            }

            if (row.current_stage != stage)
            {
                await SetStageAsync(write, name, version, row.current_stage, stage);
            }
        }, ct);
    }

    private static async Task SetStageAsync(RegistryWrite write, string name, int version, string from, string to)
    {
        await write.Connection.ExecuteAsync(write.Command(
            "UPDATE model_versions SET current_stage = @to, last_updated_time = @Now WHERE name = @name AND version = @version",
            new { to, write.Now, name, version }));
        await write.RecordAsync(new RegistryChange(name, RegistryEventType.VersionStageChanged, version,
            Before: RegistryEvents.State(("current_stage", from)), After: RegistryEvents.State(("current_stage", to))));
    }

    private Task<ModelVersion> ChangeVersionAsync(
        string name, int version, string actor, Func<RegistryWrite, RegistryReader.VersionRow, Task> change, CancellationToken ct, bool returnVersion = true) =>
        RegistryWrites.ChangeModelAsync(database, name, actor, async write =>
        {
            var row = await RegistryReader.FindVersionRowAsync(write.Connection, write.Transaction, name, version, ct)
                ?? throw RegistryValidation.VersionNotFound(name, version);
            await change(write, row);
            return returnVersion
                ? (await RegistryReader.FindVersionAsync(write.Connection, write.Transaction, name, version, ct))!
                : new ModelVersion();
        }, ct);

    /// <summary>
    /// Checks a source and returns where its files are: for <c>runs:/RUN_ID/path</c> the run must exist and the location
    /// is under its artifact root; any other source is its own location.
    /// </summary>
    private async Task<string> ResolveSourceAsync(string source, string? runId, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(runId) && await runs.FindLocationAsync(Validation.RunId(runId), ct) is null)
        {
            throw Validation.RunNotFound(runId);
        }

        if (ModelSource.ParseRunsUri(source) is not { } runsUri)
        {
            // A local path would let a model version expose any file of the server: only a run's own artifacts qualify.
            if (ModelSource.IsLocal(source)
                && (string.IsNullOrEmpty(runId) || await runs.FindLocationAsync(runId, ct) is not { } run || !ModelSource.IsUnder(source, run.artifact_uri)))
            {
                throw ModelSource.LocalSourceOutsideRun(source);
            }

            return source;
        }

        var location = await runs.FindLocationAsync(runsUri.RunId, ct) ?? throw Validation.RunNotFound(runsUri.RunId);
        return runsUri.Path.Length == 0 ? location.artifact_uri : location.artifact_uri.TrimEnd('/') + "/" + runsUri.Path;
    }

    private static Task<string?> TagValueAsync(RegistryWrite write, string name, int version, string key) =>
        write.Connection.ExecuteScalarAsync<string?>(write.Command(
            "SELECT value FROM model_version_tags WHERE name = @name AND version = @version AND key = @key", new { name, version, key }));

    private static Task UpsertTagAsync(RegistryWrite write, string name, int version, string key, string value) =>
        write.Connection.ExecuteAsync(write.Command(
            """
            INSERT INTO model_version_tags (name, version, key, value) VALUES (@name, @version, @key, @value)
            ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value
            """, new { name, version, key, value }));
}
