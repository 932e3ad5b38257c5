using System.Text;
using Dapper;
using Flightdeck.Server.Storage;

namespace Flightdeck.Server.Monitoring;

/// <summary>One stored row of the inference log. Settable properties, not a positional record: Dapper converts column
/// types for properties, while SQLite hands back every INTEGER as Int64 and PostgreSQL an INTEGER as Int32.</summary>
internal sealed class InferenceLogRow
{
    public long Id { get; init; }
    public string RequestId { get; init; } = "";
    public string? Endpoint { get; init; }
    public string ModelName { get; init; } = "";
    public string Version { get; init; } = "";
    public string Role { get; init; } = "";
    public string InputsJson { get; init; } = "[]";
    public string? OutputsJson { get; init; }
    public int Status { get; init; }
    public long LatencyUs { get; init; }
    public long Time { get; init; }
}

/// <summary>Reads the inference log back, oldest first, for the drift monitor and operators.</summary>
internal sealed class InferenceLogStore(Database database)
{
    public async Task<IReadOnlyList<InferenceLogRow>> ListAsync(string? endpoint, long since, int maxResults, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder("""
            SELECT id AS Id, request_id AS RequestId, endpoint AS Endpoint, model_name AS ModelName, version AS Version,
                   role AS Role, inputs_json AS InputsJson, outputs_json AS OutputsJson, status AS Status,
                   latency_us AS LatencyUs, time AS Time
            FROM inference_log WHERE time >= @Since
            """);
        if (endpoint is not null)
            sql.Append(" AND endpoint = @Endpoint");
        sql.Append(" ORDER BY time, id LIMIT @Max");
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<InferenceLogRow>(new CommandDefinition(
            sql.ToString(), new { Since = since, Endpoint = endpoint, Max = maxResults }, cancellationToken: cancellationToken));
        return rows.AsList();
    }
}
