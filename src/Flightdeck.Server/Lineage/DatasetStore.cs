using System.Globalization;
using System.Text;
using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Lineage;

/// <summary>Datasets as first-class records: search, one dataset with the runs that used it, and its owner.</summary>
internal sealed class DatasetStore(Database database)
{
    public const int MaxOwnerLength = 256;

    /// <summary>What a dataset search asks for; every field narrows it.</summary>
    public sealed record Query(IReadOnlyList<long> ExperimentIds, string? Name, string? NameContains, string? Owner, int MaxResults, long Offset);

    private sealed class DatasetRow
    {
        public string dataset_uuid { get; set; } = "";
        public long experiment_id { get; set; }
        public string name { get; set; } = "";
        public string digest { get; set; } = "";
        public string source_type { get; set; } = "";
        public string source { get; set; } = "";
        public string? source_uri { get; set; }
        public string? schema { get; set; }
        public string? profile { get; set; }
        public string? owner { get; set; }
        public int run_count { get; set; }

        public DatasetRecord ToRecord() => new()
        {
            DatasetId = dataset_uuid,
            ExperimentId = experiment_id.ToString(CultureInfo.InvariantCulture),
            Name = name,
            Digest = digest,
            SourceType = source_type,
            Source = source,
            SourceUri = source_uri,
            Schema = schema,
            Profile = profile,
            Owner = owner,
            RunCount = run_count,
        };
    }

    private sealed class UsageRow
    {
        public string run_uuid { get; set; } = "";
        public string name { get; set; } = "";
        public long experiment_id { get; set; }
        public string status { get; set; } = "";
        public long start_time { get; set; }
        public long? end_time { get; set; }
        public string lifecycle_stage { get; set; } = "";
    }

    private sealed class TagRow
    {
        public string run_uuid { get; set; } = "";
        public string key { get; set; } = "";
        public string value { get; set; } = "";
    }

    private const string RunCount = "(SELECT COUNT(*) FROM run_inputs i WHERE i.dataset_uuid = d.dataset_uuid) AS run_count";

    /// <summary>A page of datasets, without schema and profile (they can be large; get one dataset for them).</summary>
    public async Task<(List<DatasetRecord> Page, bool More)> SearchAsync(Query query, CancellationToken ct)
    {
        var where = new StringBuilder("1 = 1");
        var parameters = new DynamicParameters();
        if (query.ExperimentIds.Count > 0)
        {
            where.Append(" AND d.experiment_id IN (")
                .AppendJoin(", ", query.ExperimentIds.Select((id, i) => Add(parameters, $"e{i}", id)))
                .Append(')');
        }

        if (query.Name is not null)
        {
            where.Append(" AND d.name = ").Append(Add(parameters, "name", query.Name));
        }

        if (query.NameContains is not null)
        {
            where.Append(" AND LOWER(d.name) LIKE ").Append(Add(parameters, "contains", "%" + EscapeLike(query.NameContains.ToLowerInvariant()) + "%"))
                .Append(" ESCAPE '\\'");
        }

        if (query.Owner is not null)
        {
            where.Append(" AND d.owner = ").Append(Add(parameters, "owner", query.Owner));
        }

        parameters.Add("limit", query.MaxResults + 1);
        parameters.Add("offset", query.Offset);
        await using var connection = await database.OpenAsync(ct);
        var rows = (await connection.QueryAsync<DatasetRow>(new CommandDefinition(
            $"""
            SELECT d.dataset_uuid, d.experiment_id, d.name, d.digest, d.source_type, d.source, d.source_uri, d.owner, {RunCount}
            FROM datasets d WHERE {where}
            ORDER BY d.experiment_id, d.name, d.digest, d.dataset_uuid LIMIT @limit OFFSET @offset
            """, parameters, cancellationToken: ct))).ToList();
        var more = rows.Count > query.MaxResults;
        return ([.. rows.Take(query.MaxResults).Select(r => r.ToRecord())], more);
    }

    public async Task<GetDatasetResponse> GetAsync(string datasetId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<DatasetRow>(new CommandDefinition(
            $"""
            SELECT d.dataset_uuid, d.experiment_id, d.name, d.digest, d.source_type, d.source, d.source_uri, d.schema, d.profile, d.owner, {RunCount}
            FROM datasets d WHERE d.dataset_uuid = @datasetId
            """, new { datasetId }, cancellationToken: ct)) ?? throw NotFound(datasetId);
        var runs = (await connection.QueryAsync<UsageRow>(new CommandDefinition(
            """
            SELECT r.run_uuid, r.name, r.experiment_id, r.status, r.start_time, r.end_time, r.lifecycle_stage
            FROM run_inputs i JOIN runs r ON r.run_uuid = i.run_uuid WHERE i.dataset_uuid = @datasetId
            ORDER BY r.start_time DESC, r.run_uuid
            """, new { datasetId }, cancellationToken: ct))).ToList();
        var tags = (await connection.QueryAsync<TagRow>(new CommandDefinition(
            "SELECT run_uuid, key, value FROM input_tags WHERE dataset_uuid = @datasetId ORDER BY key",
            new { datasetId }, cancellationToken: ct))).ToLookup(t => t.run_uuid, StringComparer.Ordinal);
        return new GetDatasetResponse
        {
            Dataset = row.ToRecord(),
            Runs = [.. runs.Select(r => new DatasetRunUsage
            {
                RunId = r.run_uuid,
                RunName = r.name,
                ExperimentId = r.experiment_id.ToString(CultureInfo.InvariantCulture),
                Status = r.status,
                StartTime = r.start_time,
                EndTime = r.end_time,
                LifecycleStage = r.lifecycle_stage,
                Tags = [.. tags[r.run_uuid].Select(t => new InputTag(t.key, t.value))],
            })],
        };
    }

    public async Task<DatasetRecord> SetOwnerAsync(string datasetId, string? owner, CancellationToken ct)
    {
        var updated = await database.WriteAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "UPDATE datasets SET owner = @owner WHERE dataset_uuid = @datasetId",
            new { owner = string.IsNullOrWhiteSpace(owner) ? null : owner, datasetId }, transaction, cancellationToken: ct)), ct);
        return updated == 0 ? throw NotFound(datasetId) : (await GetAsync(datasetId, ct)).Dataset;
    }

    public static FlightdeckException NotFound(string datasetId) =>
        FlightdeckException.NotFound($"Dataset with id={Validation.Shorten(datasetId)} not found.");

    private static string Add(DynamicParameters parameters, string name, object value)
    {
        parameters.Add(name, value);
        return "@" + name;
    }

    private static string EscapeLike(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
