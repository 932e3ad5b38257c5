using System.Text.Json;
using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Microsoft.AspNetCore.Http;

namespace Flightdeck.Server.Tracking;

/// <summary>
/// Metric history. A full history is streamed row by row from the database straight into the response, so a
/// million-point metric never sits in memory as objects.
/// </summary>
internal sealed class MetricHistoryReader(Database database)
{
    public const int MaxBulkRuns = 100;
    public const int MaxBulkResults = 2500;

    private static readonly JsonEncodedText KeyName = JsonEncodedText.Encode("key");
    private static readonly JsonEncodedText ValueName = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText TimestampName = JsonEncodedText.Encode("timestamp");
    private static readonly JsonEncodedText StepName = JsonEncodedText.Encode("step");

    /// <summary>Writes <c>{"metrics":[...],"next_page_token":...}</c> for one run and key, in logging order.</summary>
    public async Task WriteHistoryAsync(HttpResponse response, string runId, string key, long offset, int? maxResults, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM runs WHERE run_uuid = @runId", new { runId }, cancellationToken: ct));
        if (exists == 0)
        {
            throw Validation.RunNotFound(runId);
        }

        await using var command = connection.CreateCommand();
        var limit = maxResults is { } m ? m + 1 : -1;
        command.CommandText = $"""
            SELECT value, is_nan, timestamp, step FROM metrics WHERE run_uuid = @r AND key = @k ORDER BY seq
            {(limit > 0 ? "LIMIT @limit" : database.IsSqlite ? "LIMIT -1" : "")} OFFSET @offset
            """;
        RunLogWriter.AddParameter(command, "@r", runId);
        RunLogWriter.AddParameter(command, "@k", key);
        RunLogWriter.AddParameter(command, "@offset", offset);
        if (limit > 0)
        {
            RunLogWriter.AddParameter(command, "@limit", (long)limit);
        }

        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { SkipValidation = true });
        json.WriteStartObject();
        json.WriteStartArray("metrics");
        var encodedKey = JsonEncodedText.Encode(key);
        var written = 0L;
        var more = false;
        while (await reader.ReadAsync(ct))
        {
            if (maxResults is { } max && written == max)
            {
                more = true;
                break;
            }

            json.WriteStartObject();
            json.WriteString(KeyName, encodedKey);
            var value = reader.GetDouble(0); // SequentialAccess: each column is read once, in order
            var isNan = reader.GetBoolean(1);
            if (isNan || !double.IsFinite(value))
            {
                WriteDouble(json, "value", isNan ? double.NaN : value);
            }
            else
            {
                json.WriteNumber(ValueName, value);
            }

            json.WriteNumber(TimestampName, reader.GetInt64(2));
            json.WriteNumber(StepName, reader.GetInt64(3));
            json.WriteEndObject();
            if (++written % 2048 == 0)
            {
                // Utf8JsonWriter.Flush only commits to the PipeWriter; the pipe must be flushed too, or the whole
                // body is buffered in memory until the end.
                json.Flush();
                await response.BodyWriter.FlushAsync(ct);
            }
        }

        json.WriteEndArray();
        if (more)
        {
            json.WriteString("next_page_token", PageToken.Encode(offset + written));
        }

        json.WriteEndObject();
        await json.FlushAsync(ct);
    }

    /// <summary>
    /// get-history-bulk-interval: for each run, up to <paramref name="maxResults"/> steps sampled evenly within
    /// [startStep, endStep], always keeping the first and last, with every point logged at those steps.
    /// </summary>
    public async Task<List<MetricWithRunId>> SampleAsync(IReadOnlyList<string> runIds, string key, long? startStep, long? endStep, int maxResults,
        CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var result = new List<MetricWithRunId>();
        foreach (var runId in runIds.Distinct(StringComparer.Ordinal).OrderBy(r => r, StringComparer.Ordinal))
        {
            var range = startStep is null ? "" : " AND step >= @startStep AND step <= @endStep";
            var steps = (await connection.QueryAsync<long>(new CommandDefinition(
                $"SELECT DISTINCT step FROM metrics WHERE run_uuid = @runId AND key = @key{range} ORDER BY step",
                new { runId, key, startStep, endStep }, cancellationToken: ct))).ToList();
            var chosen = SampleEvenly(steps, maxResults);
            if (chosen.Count == 0)
            {
                continue;
            }

            var points = await connection.QueryAsync<PointRow>(new CommandDefinition(
                $"SELECT key, value, is_nan, timestamp, step FROM metrics WHERE run_uuid = @runId AND key = @key{range} ORDER BY seq",
                new { runId, key, startStep, endStep }, cancellationToken: ct));
            var wanted = chosen.ToHashSet();
            result.AddRange(points.Where(p => wanted.Contains(p.step)).Select(p => new MetricWithRunId
            {
                Key = p.key,
                Value = p.is_nan ? double.NaN : p.value,
                Timestamp = p.timestamp,
                Step = p.step,
                RunId = runId,
            }));
        }

        return result;
    }

    internal static List<long> SampleEvenly(List<long> steps, int maxResults)
    {
        if (steps.Count <= maxResults)
        {
            return steps;
        }

        if (maxResults == 1)
        {
            return [steps[0]];
        }

        var chosen = new SortedSet<long>();
        for (var i = 0; i < maxResults; i++)
        {
            chosen.Add(steps[(int)Math.Round(i * (steps.Count - 1) / (double)(maxResults - 1))]);
        }

        return chosen.ToList();
    }

    private static void WriteDouble(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private sealed class PointRow
    {
        public string key { get; set; } = "";
        public double value { get; set; }
        public bool is_nan { get; set; }
        public long timestamp { get; set; }
        public long step { get; set; }
    }
}
