using System.Data.Common;
using System.Globalization;
using Dapper;
using Flightdeck.Contracts;

namespace Flightdeck.Server.Registry;

/// <summary>
/// Turns registry rows into wire entities: a model with its tags, aliases and latest version per stage; a version with
/// its tags and aliases. Works on any connection, inside a write transaction or not.
/// </summary>
internal static class RegistryReader
{
    public const string ModelColumns = "m.name, m.creation_time, m.last_updated_time, m.description";

    public const string VersionColumns =
        "v.name, v.version, v.creation_time, v.last_updated_time, v.description, v.user_id, v.current_stage, v.source, v.storage_location, v.run_id, v.run_link, v.status";

    internal sealed class ModelRow
    {
        public string name { get; set; } = "";
        public long creation_time { get; set; }
        public long last_updated_time { get; set; }
        public string? description { get; set; }
    }

    internal sealed class VersionRow
    {
        public string name { get; set; } = "";
        public int version { get; set; }
        public long creation_time { get; set; }
        public long last_updated_time { get; set; }
        public string? description { get; set; }
        public string? user_id { get; set; }
        public string current_stage { get; set; } = "";
        public string source { get; set; } = "";
        public string storage_location { get; set; } = "";
        public string? run_id { get; set; }
        public string? run_link { get; set; }
        public string status { get; set; } = "";
    }

    private sealed class TagRow
    {
        public string name { get; set; } = "";
        public int version { get; set; }
        public string key { get; set; } = "";
        public string value { get; set; } = "";
    }

    private sealed class AliasRow
    {
        public string name { get; set; } = "";
        public string alias { get; set; } = "";
        public int version { get; set; }
    }

    public static async Task<RegisteredModel?> FindModelAsync(DbConnection connection, DbTransaction? transaction, string name, CancellationToken ct)
    {
        var row = await connection.QuerySingleOrDefaultAsync<ModelRow>(new CommandDefinition(
            $"SELECT {ModelColumns} FROM registered_models m WHERE m.name = @name", new { name }, transaction, cancellationToken: ct));
        return row is null ? null : (await ToModelsAsync(connection, transaction, [row], ct))[0];
    }

    public static async Task<VersionRow?> FindVersionRowAsync(DbConnection connection, DbTransaction? transaction, string name, int version, CancellationToken ct) =>
        await connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(
            $"SELECT {VersionColumns} FROM model_versions v WHERE v.name = @name AND v.version = @version",
            new { name, version }, transaction, cancellationToken: ct));

    public static async Task<ModelVersion?> FindVersionAsync(DbConnection connection, DbTransaction? transaction, string name, int version, CancellationToken ct)
    {
        var row = await FindVersionRowAsync(connection, transaction, name, version, ct);
        return row is null ? null : (await ToVersionsAsync(connection, transaction, [row], ct))[0];
    }

    public static async Task<List<RegisteredModel>> ToModelsAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<ModelRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var names = rows.Select(r => r.name).ToArray();
        var tags = (await connection.QueryAsync<TagRow>(new CommandDefinition(
            $"SELECT name, key, value FROM registered_model_tags WHERE {NameIn(connection, "name")} ORDER BY key", new { names }, transaction, cancellationToken: ct)))
            .ToLookup(t => t.name);
        var aliases = (await connection.QueryAsync<AliasRow>(new CommandDefinition(
            $"SELECT name, alias, version FROM registered_model_aliases WHERE {NameIn(connection, "name")} ORDER BY alias", new { names }, transaction, cancellationToken: ct)))
            .ToLookup(a => a.name);
        var latestRows = (await connection.QueryAsync<VersionRow>(new CommandDefinition(
            $"""
            SELECT {VersionColumns} FROM model_versions v
            WHERE {NameIn(connection, "v.name")} AND v.version = (
                SELECT MAX(l.version) FROM model_versions l WHERE l.name = v.name AND l.current_stage = v.current_stage)
            ORDER BY v.name, v.version
            """, new { names }, transaction, cancellationToken: ct))).ToList();
        var latest = (await ToVersionsAsync(connection, transaction, latestRows, ct)).ToLookup(v => v.Name);
        return rows.Select(r => new RegisteredModel
        {
            Name = r.name,
            CreationTimestamp = r.creation_time,
            LastUpdatedTimestamp = r.last_updated_time,
            Description = r.description,
            LatestVersions = latest[r.name].ToList(),
            Tags = tags[r.name].Select(t => new RegisteredModelTag(t.key, t.value)).ToList(),
            Aliases = aliases[r.name].Select(a => new RegisteredModelAlias(a.alias, Text(a.version))).ToList(),
        }).ToList();
    }

    public static async Task<List<ModelVersion>> ToVersionsAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<VersionRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var names = rows.Select(r => r.name).Distinct().ToArray();
        // Narrowed by version numbers too: a page of latest versions needs the tags of a few versions per model, not all of them.
        var versions = rows.Select(r => r.version).Distinct().ToArray();
        var tags = (await connection.QueryAsync<TagRow>(new CommandDefinition(
            $"SELECT name, version, key, value FROM model_version_tags WHERE {NameIn(connection, "name")} AND {In(connection, "version", "versions")} ORDER BY key",
            new { names, versions }, transaction, cancellationToken: ct)))
            .ToLookup(t => (t.name, t.version));
        var aliases = (await connection.QueryAsync<AliasRow>(new CommandDefinition(
            $"SELECT name, alias, version FROM registered_model_aliases WHERE {NameIn(connection, "name")} ORDER BY alias", new { names }, transaction, cancellationToken: ct)))
            .ToLookup(a => (a.name, a.version));
        return rows.Select(r => new ModelVersion
        {
            Name = r.name,
            Version = Text(r.version),
            CreationTimestamp = r.creation_time,
            LastUpdatedTimestamp = r.last_updated_time,
            UserId = r.user_id,
            CurrentStage = r.current_stage,
            Description = r.description,
            Source = r.source,
            RunId = r.run_id,
            Status = r.status,
            RunLink = r.run_link,
            Tags = tags[(r.name, r.version)].Select(t => new ModelVersionTag(t.key, t.value)).ToList(),
            Aliases = aliases[(r.name, r.version)].Select(a => a.alias).ToList(),
        }).ToList();
    }

    /// <summary>
    /// <paramref name="column"/> among the <c>@names</c> array: Dapper expands <c>IN @names</c> into one parameter per
    /// name, except on Npgsql, where it binds a PostgreSQL array that only <c>= ANY</c> accepts.
    /// </summary>
    private static string NameIn(DbConnection connection, string column) => In(connection, column, "names");

    private static string In(DbConnection connection, string column, string parameter) =>
        connection is Npgsql.NpgsqlConnection ? $"{column} = ANY(@{parameter})" : $"{column} IN @{parameter}";

    public static string Text(int version) => version.ToString(CultureInfo.InvariantCulture);
}
