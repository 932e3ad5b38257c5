using System.Data.Common;
using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Registry;

/// <summary>Registered models, their tags and aliases. Every change is recorded in the registry history.</summary>
internal sealed class RegisteredModelStore(Database database)
{
    public async Task<RegisteredModel> CreateAsync(
        string name, IReadOnlyList<(string Key, string Value)> tags, string? description, string actor, CancellationToken ct)
    {
        var now = Clock.NowMs();
        try
        {
            return await database.WriteAsync(async (connection, transaction) =>
            {
                var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT COUNT(*) FROM registered_models WHERE name = @name", new { name }, transaction, cancellationToken: ct));
                if (exists > 0)
                {
                    throw RegistryValidation.ModelExists(name);
                }

                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO registered_models (name, creation_time, last_updated_time, description, last_version)
                    VALUES (@name, @now, @now, @description, 0)
                    """, new { name, now, description }, transaction, cancellationToken: ct));
                foreach (var (key, value) in tags.GroupBy(t => t.Key).Select(g => g.Last()))
                {
                    await UpsertTagAsync(connection, transaction, name, key, value, ct);
                }

                await RegistryEvents.AppendAsync(connection, transaction, actor, now, new RegistryChange(
                    name, RegistryEventType.ModelCreated, After: RegistryEvents.State(("name", name), ("description", description))), ct);
                return (await RegistryReader.FindModelAsync(connection, transaction, name, ct))!;
            }, ct);
        }
        catch (DbException ex) when (ExperimentStore.IsUniqueViolation(ex))
        {
            // Another server process created the name between our check and insert.
            throw RegistryValidation.ModelExists(name);
        }
    }

    public async Task<RegisteredModel> GetAsync(string name, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await RegistryReader.FindModelAsync(connection, null, name, ct) ?? throw RegistryValidation.ModelNotFound(name);
    }

    public async Task<List<RegisteredModel>> QueryAsync(string sql, DynamicParameters parameters, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = (await connection.QueryAsync<RegistryReader.ModelRow>(new CommandDefinition(sql, parameters, cancellationToken: ct))).ToList();
        return await RegistryReader.ToModelsAsync(connection, null, rows, ct);
    }

    public async Task<RegisteredModel> RenameAsync(string name, string newName, string actor, CancellationToken ct)
    {
        try
        {
            return await RegistryWrites.ChangeModelAsync(database, name, actor, async write =>
            {
                if (newName != name)
                {
                    var clash = await write.Connection.ExecuteScalarAsync<long>(write.Command(
                        "SELECT COUNT(*) FROM registered_models WHERE name = @newName", new { newName }));
                    if (clash > 0)
                    {
                        throw RegistryValidation.ModelExists(newName);
                    }

                    // Versions, tags and aliases follow through ON UPDATE CASCADE; the history is re-keyed so the
                    // timeline and alias-at keep working under the new name.
                    await write.Connection.ExecuteAsync(write.Command(
                        "UPDATE registered_models SET name = @newName, last_updated_time = @Now WHERE name = @name",
                        new { newName, write.Now, name }));
                    await write.Connection.ExecuteAsync(write.Command(
                        "UPDATE registry_events SET name = @newName WHERE name = @name", new { newName, name }));
                    await write.RecordAsync(new RegistryChange(newName, RegistryEventType.ModelRenamed,
                        Before: RegistryEvents.State(("name", name)), After: RegistryEvents.State(("name", newName))));
                }

                return (await RegistryReader.FindModelAsync(write.Connection, write.Transaction, newName, ct))!;
            }, ct);
        }
        catch (DbException ex) when (ExperimentStore.IsUniqueViolation(ex))
        {
            throw RegistryValidation.ModelExists(newName);
        }
    }

    public Task<RegisteredModel> UpdateAsync(string name, string? description, string actor, CancellationToken ct) =>
        RegistryWrites.ChangeModelAsync(database, name, actor, async write =>
        {
            await write.Connection.ExecuteAsync(write.Command(
                "UPDATE registered_models SET description = @description, last_updated_time = @Now WHERE name = @name",
                new { description, write.Now, name }));
            await write.RecordAsync(new RegistryChange(name, RegistryEventType.ModelDescriptionChanged,
                Before: RegistryEvents.State(("description", write.Model.description)), After: RegistryEvents.State(("description", description))));
            return (await RegistryReader.FindModelAsync(write.Connection, write.Transaction, name, ct))!;
        }, ct);

    public Task DeleteAsync(string name, string actor, CancellationToken ct) =>
        RegistryWrites.ChangeModelAsync(database, name, actor, async write =>
        {
            // Aliases vanish with the model; recording their removal keeps alias-at truthful afterwards.
            foreach (var (alias, version) in await AliasesAsync(write, name))
            {
                await write.RecordAsync(new RegistryChange(name, RegistryEventType.AliasDeleted, version, alias,
                    Before: RegistryEvents.State(("alias", alias), ("version", version))));
            }

            var versions = await write.Connection.ExecuteScalarAsync<long>(write.Command(
                "SELECT COUNT(*) FROM model_versions WHERE name = @name", new { name }));
            await write.Connection.ExecuteAsync(write.Command("DELETE FROM registered_model_aliases WHERE name = @name", new { name }));
            await write.Connection.ExecuteAsync(write.Command(
                "DELETE FROM model_version_tags WHERE name = @name", new { name }));
            await write.Connection.ExecuteAsync(write.Command("DELETE FROM model_versions WHERE name = @name", new { name }));
            await write.Connection.ExecuteAsync(write.Command("DELETE FROM registered_model_tags WHERE name = @name", new { name }));
            await write.Connection.ExecuteAsync(write.Command("DELETE FROM registered_models WHERE name = @name", new { name }));
            await write.RecordAsync(new RegistryChange(name, RegistryEventType.ModelDeleted,
                Before: RegistryEvents.State(("name", name), ("description", write.Model.description), ("versions", versions))));
        }, ct);

    public Task SetTagAsync(string name, string key, string value, string actor, CancellationToken ct) =>
        RegistryWrites.ChangeModelAsync(database, name, actor, async write =>
        {
            var before = await write.Connection.ExecuteScalarAsync<string?>(write.Command(
                "SELECT value FROM registered_model_tags WHERE name = @name AND key = @key", new { name, key }));
            await UpsertTagAsync(write.Connection, write.Transaction, name, key, value, ct);
            await write.TouchModelAsync();
            await write.RecordAsync(new RegistryChange(name, RegistryEventType.ModelTagSet,
                Before: before is null ? null : RegistryEvents.State((key, before)), After: RegistryEvents.State((key, value))));
        }, ct);

    /// <summary>Deleting a tag that is not there succeeds, as in MLflow.</summary>
    public Task DeleteTagAsync(string name, string key, string actor, CancellationToken ct) =>
        RegistryWrites.ChangeModelAsync(database, name, actor, async write =>
        {
            var before = await write.Connection.ExecuteScalarAsync<string?>(write.Command(
                "SELECT value FROM registered_model_tags WHERE name = @name AND key = @key", new { name, key }));
            if (before is null)
            {
                return;
            }

            await write.Connection.ExecuteAsync(write.Command(
                "DELETE FROM registered_model_tags WHERE name = @name AND key = @key", new { name, key }));
            await write.TouchModelAsync();
            await write.RecordAsync(new RegistryChange(name, RegistryEventType.ModelTagDeleted, Before: RegistryEvents.State((key, before))));
        }, ct);

    public Task SetAliasAsync(string name, string alias, int version, string actor, CancellationToken ct) =>
        RegistryWrites.ChangeModelAsync(database, name, actor, async write =>
        {
            _ = await RegistryReader.FindVersionRowAsync(write.Connection, write.Transaction, name, version, ct)
                ?? throw RegistryValidation.VersionNotFound(name, version);
            var previous = await write.Connection.ExecuteScalarAsync<int?>(write.Command(
                "SELECT version FROM registered_model_aliases WHERE name = @name AND alias = @alias", new { name, alias }));
            if (previous == version)
            {
                return;
            }

            await write.Connection.ExecuteAsync(write.Command(
                """
                INSERT INTO registered_model_aliases (name, alias, version) VALUES (@name, @alias, @version)
                ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version
                """, new { name, alias, version }));
            await write.TouchModelAsync();
            await write.RecordAsync(new RegistryChange(name, RegistryEventType.AliasSet, version, alias,
                Before: previous is null ? null : RegistryEvents.State(("alias", alias), ("version", previous.Value)),
                After: RegistryEvents.State(("alias", alias), ("version", version))));
        }, ct);

    public Task DeleteAliasAsync(string name, string alias, string actor, CancellationToken ct) =>
        RegistryWrites.ChangeModelAsync(database, name, actor, async write =>
        {
            var previous = await write.Connection.ExecuteScalarAsync<int?>(write.Command(
                "SELECT version FROM registered_model_aliases WHERE name = @name AND alias = @alias", new { name, alias }))
                ?? throw RegistryValidation.AliasNotFound(name, alias);
            await write.Connection.ExecuteAsync(write.Command(
                "DELETE FROM registered_model_aliases WHERE name = @name AND alias = @alias", new { name, alias }));
            await write.TouchModelAsync();
            await write.RecordAsync(new RegistryChange(name, RegistryEventType.AliasDeleted, previous, alias,
                Before: RegistryEvents.State(("alias", alias), ("version", previous))));
        }, ct);

    public async Task<ModelVersion> GetByAliasAsync(string name, string alias, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var version = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT version FROM registered_model_aliases WHERE name = @name AND alias = @alias", new { name, alias }, cancellationToken: ct));
        if (version is null)
        {
            var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM registered_models WHERE name = @name", new { name }, cancellationToken: ct));
            throw exists == 0 ? RegistryValidation.ModelNotFound(name) : RegistryValidation.AliasNotFound(name, alias);
        }

        return await RegistryReader.FindVersionAsync(connection, null, name, version.Value, ct)
            ?? throw RegistryValidation.AliasNotFound(name, alias);
    }

    /// <summary>The newest version in each requested stage (every stage when none is named).</summary>
    public async Task<List<ModelVersion>> LatestVersionsAsync(string name, IReadOnlyList<string> stages, CancellationToken ct)
    {
        var model = await GetAsync(name, ct);
        return stages.Count == 0
            ? model.LatestVersions
            : model.LatestVersions.Where(v => stages.Contains(v.CurrentStage, StringComparer.Ordinal)).ToList();
    }

    private sealed class AliasRow
    {
        public string alias { get; set; } = "";
        public int version { get; set; }
    }

    /// <summary>The model's aliases, or those of one version, in the write's transaction.</summary>
    internal static async Task<List<(string Alias, int Version)>> AliasesAsync(RegistryWrite write, string name, int? version = null) =>
        (await write.Connection.QueryAsync<AliasRow>(write.Command(
            "SELECT alias, version FROM registered_model_aliases WHERE name = @name AND (@version IS NULL OR version = @version) ORDER BY alias",
            new { name, version })))
        .Select(a => (a.alias, a.version)).ToList();

    private static Task UpsertTagAsync(DbConnection connection, DbTransaction transaction, string name, string key, string value, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO registered_model_tags (name, key, value) VALUES (@name, @key, @value)
            ON CONFLICT (name, key) DO UPDATE SET value = excluded.value
            """, new { name, key, value }, transaction, cancellationToken: ct));
}
