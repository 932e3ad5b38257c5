using System.Text;
using Dapper;
using Flightdeck.Server.Storage;

namespace Flightdeck.Server.Monitoring;

/// <summary>One stored row of the inference log.</summary>
internal sealed record InferenceLogRow(
    long Id, string RequestId, string? Endpoint, string ModelName, string Version, string Role,
    string InputsJson, string? OutputsJson, int Status, long LatencyUs, long Time);

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
