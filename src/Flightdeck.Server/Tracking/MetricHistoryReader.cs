using System.Text.Json;
using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Flightdeck.Server.Tracking;

/// <summary>
/// Metric history. A full history is streamed row by row from the database straight into the response, so a
/// million-point metric never sits in memory as objects.
/// </summary>
internal sealed class MetricHistoryReader(Database database)
{
    public const int MaxBulkRuns = 100;
    public const int MaxBulkResults = 2500;

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

        var limit = maxResults is { } m ? m + 1L : -1L;
        var sql = $"""
            SELECT value, is_nan, timestamp, step FROM metrics WHERE run_uuid = @r AND key = @k ORDER BY seq
            {(limit > 0 ? "LIMIT @limit" : database.IsSqlite ? "LIMIT -1" : "")} OFFSET @offset
            """;
        response.ContentType = "application/json";
        var body = new HistoryJsonWriter(response.BodyWriter, key);
        var written = 0L;
        var more = false;
        if (connection is SqliteConnection sqlite)
        {
            // SQLite rows are read with direct step and column calls (SqliteNative): the data reader's per-row work
            // cost about twice what SQLite itself spends on a million points, and SQLitePCL's SafeHandle calls a third.
            using var statement = PrepareHistory(sqlite, sql, runId, key, limit, offset);
            var handle = statement.DangerousGetHandle();
            while (true)
            {
                var rc = SqliteNative.Step(handle);
                if (rc == raw.SQLITE_DONE)
                {
                    break;
                }

                if (rc != raw.SQLITE_ROW)
                {
                    throw new SqliteException(raw.sqlite3_errmsg(sqlite.Handle).utf8_to_string(), rc);
                }

                if (written == maxResults)
                {
                    more = true;
                    break;
                }

                body.WritePoint(SqliteNative.ColumnDouble(handle, 0), SqliteNative.ColumnInt(handle, 1) != 0,
                    SqliteNative.ColumnInt64(handle, 2), SqliteNative.ColumnInt64(handle, 3));
                if (++written % FlushEvery == 0)
                {
                    await body.FlushAsync(ct);
                }
            }
        }
        else
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            RunLogWriter.AddParameter(command, "@r", runId);
            RunLogWriter.AddParameter(command, "@k", key);
            RunLogWriter.AddParameter(command, "@offset", offset);
            if (limit > 0)
            {
                RunLogWriter.AddParameter(command, "@limit", limit);
            }

            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
            while (await reader.ReadAsync(ct))
            {
                if (written == maxResults)
                {
                    more = true;
                    break;
                }

                // SequentialAccess: each column is read once, in order.
                body.WritePoint(reader.GetDouble(0), reader.GetBoolean(1), reader.GetInt64(2), reader.GetInt64(3));
                if (++written % FlushEvery == 0)
                {
                    await body.FlushAsync(ct);
                }
            }
        }

        body.WriteEnd(more ? PageToken.Encode(offset + written) : null);
        await body.FlushAsync(ct);
    }

    /// <summary>Rows between flushes of the response: the pipe must be flushed, or the whole body is buffered until the end.</summary>
    private const int FlushEvery = 2048;

    private static sqlite3_stmt PrepareHistory(SqliteConnection connection, string sql, string runId, string key, long limit, long offset)
    {
        var db = connection.Handle!;
        Check(db, raw.sqlite3_prepare_v2(db, sql, out var statement));
        try
        {
            Check(db, raw.sqlite3_bind_text(statement, raw.sqlite3_bind_parameter_index(statement, "@r"), runId));
            Check(db, raw.sqlite3_bind_text(statement, raw.sqlite3_bind_parameter_index(statement, "@k"), key));
            Check(db, raw.sqlite3_bind_int64(statement, raw.sqlite3_bind_parameter_index(statement, "@offset"), offset));
            if (limit > 0)
            {
                Check(db, raw.sqlite3_bind_int64(statement, raw.sqlite3_bind_parameter_index(statement, "@limit"), limit));
            }

            return statement;
        }
        catch
        {
            statement.Dispose();
            throw;
        }
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
        }
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

    private sealed class PointRow
    {
        public string key { get; set; } = "";
        public double value { get; set; }
        public bool is_nan { get; set; }
        public long timestamp { get; set; }
        public long step { get; set; }
    }
}
