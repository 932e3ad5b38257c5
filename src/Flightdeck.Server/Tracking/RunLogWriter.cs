using System.Data.Common;
using System.Globalization;
using System.Text;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;

namespace Flightdeck.Server.Tracking;

/// <summary>
/// The logging hot path: metrics, params and tags of one run written in one transaction, with set-based SQL
/// (one statement per table, not per row). Every other logging endpoint is a batch of one, as in MLflow.
/// </summary>
internal sealed class RunLogWriter(Database database, Ui.MetricBlockSummarizer? blocks = null)
{
    // PostgreSQL's metric-only batches (the common batch) commit in groups; see PostgresMetricGroupWriter.
    private readonly PostgresMetricGroupWriter? _metricGroups = database.IsSqlite ? null : new PostgresMetricGroupWriter(database);

    public readonly record struct MetricPoint(string Key, double Value, long Timestamp, long Step);

    public readonly record struct KeyValue(string Key, string Value);

    /// <summary>Validates a batch against MLflow's limits without touching the store.</summary>
    public static (List<MetricPoint> Metrics, List<KeyValue> Params, List<KeyValue> Tags) Validate(
        IReadOnlyList<Metric>? metrics, IReadOnlyList<Param>? parameters, IReadOnlyList<RunTag>? tags)
    {
        metrics ??= [];
        parameters ??= [];
        tags ??= [];
        CheckCount(metrics.Count, Validation.MaxBatchMetrics, "metrics");
        CheckCount(parameters.Count, Validation.MaxBatchParams, "params");
        CheckCount(tags.Count, Validation.MaxBatchTags, "tags");
        var total = metrics.Count + parameters.Count + tags.Count;
        if (total > Validation.MaxBatchEntities)
        {
            throw FlightdeckException.InvalidParameter(
                $"A batch logging request can contain at most {Validation.MaxBatchEntities} entities in total (metrics, params and tags). Got {total}.");
        }

        var points = new List<MetricPoint>(metrics.Count);
        for (var i = 0; i < metrics.Count; i++)
        {
            var m = metrics[i] ?? throw Validation.Missing($"metrics[{i}]");
            var key = Validation.Key(m.Key, "metric", $"metrics[{i}].key");
            var value = m.Value ?? throw Validation.Missing($"metrics[{i}].value");
            var timestamp = Validation.Timestamp(m.Timestamp, $"metrics[{i}].timestamp");
            points.Add(new MetricPoint(key, value, timestamp, m.Step ?? 0));
        }

        var paramList = new List<KeyValue>(parameters.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i] ?? throw Validation.Missing($"params[{i}]");
            var key = Validation.Key(p.Key, "parameter", $"params[{i}].key");
            var value = Validation.Value(p.Value, Validation.MaxParamValueLength, "Param", key, $"params[{i}].value");
            if (!seen.Add(key))
            {
                throw FlightdeckException.InvalidParameter(
                    $"Duplicate parameter keys have been submitted: ['{Validation.Shorten(key)}']. Please ensure the request contains only one param value per param key.");
            }

            paramList.Add(new KeyValue(key, value));
        }

        var tagList = new List<KeyValue>(tags.Count);
        for (var i = 0; i < tags.Count; i++)
        {
            var t = tags[i] ?? throw Validation.Missing($"tags[{i}]");
            var key = Validation.Key(t.Key, "tag", $"tags[{i}].key");
            tagList.Add(new KeyValue(key, Validation.Value(t.Value, Validation.MaxTagValueLength, "Tag", key, $"tags[{i}].value")));
        }

        return (points, paramList, tagList);
    }

    public async Task LogBatchAsync(string runId, List<MetricPoint> metrics, List<KeyValue> parameters, List<KeyValue> tags, CancellationToken ct)
    {
        if (_metricGroups is not null && parameters.Count == 0 && tags.Count == 0 && metrics.Count > 0)
        {
            await _metricGroups.WriteAsync(runId, metrics, ct);
            blocks?.Logged(runId, metrics);
            return;
        }

        // Last value wins for tags, even within a batch; sorted keys give concurrent writers one lock order.
        var lastTags = tags.GroupBy(t => t.Key, StringComparer.Ordinal).Select(g => g.Last()).OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        var sortedParams = parameters.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var latest = LatestPerKey(metrics);

        await database.WriteAsync(async (connection, transaction) =>
        {
            if (database.IsSqlite)
            {
                var check = PreparedCommands.Get(connection, transaction, "SELECT lifecycle_stage FROM runs WHERE run_uuid = @r", "@r");
                check.Parameters[0].Value = runId;
                RequireActive(runId, check.ExecuteScalar() as string);
            }
            else
            {
                await RunStore.RequireActiveAsync(connection, transaction, runId, ct);
            }

            if (sortedParams.Count > 0)
            {
                await WriteParamsAsync(connection, transaction, runId, sortedParams, ct);
            }

            if (lastTags.Count > 0)
            {
                await WriteKeyValuesAsync(connection, transaction, "tags", runId, lastTags,
                    "ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value", ct);
                if (lastTags.FirstOrDefault(t => t.Key == RunStore.RunNameTag) is { Key: not null } nameTag)
                {
                    await RunStore.SetNameAsync(connection, transaction, runId, nameTag.Value, ct);
                }
            }

            if (metrics.Count > 0)
            {
                await WriteMetricsAsync(connection, transaction, runId, metrics, latest, ct);
            }
        }, ct);
        // After the commit, so the summarizer never reads before the points are there; chart blocks follow in the background.
        blocks?.Logged(runId, metrics);
    }

    /// <summary>The same refusals as <see cref="RunStore.RequireActiveAsync"/>, from the run's lifecycle stage (null: no run).</summary>
    internal static void RequireActive(string runId, string? stage)
    {
        if (stage is null)
        {
            throw Validation.RunNotFound(runId);
        }

        if (stage != LifecycleStage.Active)
        {
            throw FlightdeckException.InvalidParameter($"The run {runId} must be in the 'active' state. Current state is {stage}.");
        }
    }

    internal static void AddMetricArrays(DbCommand command, string prefix, List<MetricPoint> rows)
    {
        var keys = new string[rows.Count];
        var values = new double[rows.Count];
        var nans = new bool[rows.Count];
        var timestamps = new long[rows.Count];
        var steps = new long[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var m = rows[i];
            keys[i] = m.Key;
            values[i] = StoredValue(m.Value);
            nans[i] = double.IsNaN(m.Value);
            timestamps[i] = m.Timestamp;
            steps[i] = m.Step;
        }

        AddArray(command, prefix + "k", keys, NpgsqlDbType.Text);
        AddArray(command, prefix + "v", values, NpgsqlDbType.Double);
        AddArray(command, prefix + "n", nans, NpgsqlDbType.Boolean);
        AddArray(command, prefix + "t", timestamps, NpgsqlDbType.Bigint);
        AddArray(command, prefix + "s", steps, NpgsqlDbType.Bigint);
    }

    internal const string NewerThanStored = """
        ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value, is_nan = excluded.is_nan,
            timestamp = excluded.timestamp, step = excluded.step
        WHERE excluded.step > latest_metrics.step
           OR (excluded.step = latest_metrics.step AND excluded.timestamp > latest_metrics.timestamp)
           OR (excluded.step = latest_metrics.step AND excluded.timestamp = latest_metrics.timestamp
               AND NOT excluded.is_nan AND NOT latest_metrics.is_nan AND excluded.value > latest_metrics.value)
        """;

    private static void CheckCount(int count, int max, string what)
    {
        if (count > max)
        {
            throw FlightdeckException.InvalidParameter(
                $"A batch logging request can contain at most {max} {what}. Got {count} {what}. Please split up {what} across multiple requests and try again.");
        }
    }

    /// <summary>The summary candidate per key: the maximum by (step, timestamp, value), NaN never beating a number.</summary>
    internal static List<MetricPoint> LatestPerKey(List<MetricPoint> metrics)
    {
        var best = new Dictionary<string, MetricPoint>(StringComparer.Ordinal);
        foreach (var m in metrics)
        {
            if (!best.TryGetValue(m.Key, out var current) || IsNewer(m, current))
            {
                best[m.Key] = m;
            }
        }

        return best.Values.OrderBy(m => m.Key, StringComparer.Ordinal).ToList();
    }

    internal static bool IsNewer(MetricPoint candidate, MetricPoint current) =>
        candidate.Step != current.Step ? candidate.Step > current.Step
        : candidate.Timestamp != current.Timestamp ? candidate.Timestamp > current.Timestamp
        : candidate.Value > current.Value; // false whenever either side is NaN, as in MLflow's tuple comparison

    private async Task WriteParamsAsync(DbConnection connection, DbTransaction transaction, string runId, List<KeyValue> parameters,
        CancellationToken ct)
    {
        // Insert what is new, then compare everything: this also catches a concurrent writer's different value.
        await WriteKeyValuesAsync(connection, transaction, "params", runId, parameters, "ON CONFLICT (run_uuid, key) DO NOTHING", ct);
        await using var check = connection.CreateCommand();
        check.Transaction = transaction;
        var sql = new StringBuilder("SELECT key, value FROM params WHERE run_uuid = @r AND key IN (");
        AddParameter(check, "@r", runId);
        for (var i = 0; i < parameters.Count; i++)
        {
            sql.Append(i == 0 ? "@k" : ",@k").Append(i.ToString(CultureInfo.InvariantCulture));
            AddParameter(check, "@k" + i.ToString(CultureInfo.InvariantCulture), parameters[i].Key);
        }

        check.CommandText = sql.Append(')').ToString();
        var wanted = parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        await using var reader = await check.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var key = reader.GetString(0);
            var stored = reader.GetString(1);
            if (wanted[key] != stored)
            {
                throw FlightdeckException.InvalidParameter(
                    $"Changing param values is not allowed. Param with key='{Validation.Shorten(key)}' was already logged with value='{Validation.Shorten(stored)}' for run ID='{runId}'. Attempted logging new value '{Validation.Shorten(wanted[key])}'.");
            }
        }
    }

    private async Task WriteKeyValuesAsync(DbConnection connection, DbTransaction transaction, string table, string runId,
        List<KeyValue> rows, string onConflict, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        AddParameter(command, "@r", runId);
        if (database.IsSqlite)
        {
            // One prepared single-row statement executed per row: in-process SQLite makes that cheaper than one big
            // statement, whose named-parameter binding grows quadratically with the row count.
            command.CommandText = $"INSERT INTO {table} (run_uuid, key, value) VALUES (@r, @k, @v) {onConflict}";
            var key = AddParameter(command, "@k", "");
            var value = AddParameter(command, "@v", "");
            await command.PrepareAsync(ct);
            foreach (var row in rows)
            {
                key.Value = row.Key;
                value.Value = row.Value;
                await command.ExecuteNonQueryAsync(ct);
            }

            return;
        }

        command.CommandText = $"INSERT INTO {table} (run_uuid, key, value) SELECT @r, k, v FROM unnest(@k, @v) AS t(k, v) {onConflict}";
        AddArray(command, "@k", rows.Select(r => r.Key).ToArray(), NpgsqlDbType.Text);
        AddArray(command, "@v", rows.Select(r => r.Value).ToArray(), NpgsqlDbType.Text);
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task WriteMetricsAsync(DbConnection connection, DbTransaction transaction, string runId, List<MetricPoint> metrics,
        List<MetricPoint> latest, CancellationToken ct)
    {
        await WriteMetricRowsAsync(connection, transaction, runId, metrics, "INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp, step)", "", ct);
        await WriteMetricRowsAsync(connection, transaction, runId, latest,
            "INSERT INTO latest_metrics (run_uuid, key, value, is_nan, timestamp, step)", NewerThanStored, ct);
    }

    private async Task WriteMetricRowsAsync(DbConnection connection, DbTransaction transaction, string runId, List<MetricPoint> rows,
        string insert, string suffix, CancellationToken ct)
    {
        if (database.IsSqlite)
        {
            // The writer's connection keeps this statement prepared; it runs once per row, bound and stepped with
            // direct calls into SQLite (SqliteNative): through SqliteCommand each row cost several times SQLite's own
            // work, and through SQLitePCL's SafeHandle entry points eight calls a row still cost more than the insert.
            var statement = PreparedCommands.GetRaw((SqliteConnection)connection, $"{insert} VALUES (?1, ?2, ?3, ?4, ?5, ?6) {suffix}");
            var handle = statement.DangerousGetHandle();
            PreparedCommands.Check(connection, SqliteNative.BindText(handle, 1, runId));
            foreach (var m in rows)
            {
                ct.ThrowIfCancellationRequested();
                PreparedCommands.Check(connection, SqliteNative.BindText(handle, 2, m.Key));
                PreparedCommands.Check(connection, SqliteNative.BindDouble(handle, 3, StoredValue(m.Value)));
                PreparedCommands.Check(connection, SqliteNative.BindInt64(handle, 4, double.IsNaN(m.Value) ? 1 : 0));
                PreparedCommands.Check(connection, SqliteNative.BindInt64(handle, 5, m.Timestamp));
                PreparedCommands.Check(connection, SqliteNative.BindInt64(handle, 6, m.Step));
                var rc = SqliteNative.Step(handle);
                SqliteNative.Reset(handle);
                if (rc != raw.SQLITE_DONE)
                {
                    PreparedCommands.Check(connection, rc);
                }
            }

            return;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        AddParameter(command, "@r", runId);

        command.CommandText = $"{insert} SELECT @r, k, v, n, t, s FROM unnest(@k, @v, @n, @t, @s) AS x(k, v, n, t, s) {suffix}";
        AddArray(command, "@k", rows.Select(r => r.Key).ToArray(), NpgsqlDbType.Text);
        AddArray(command, "@v", rows.Select(r => StoredValue(r.Value)).ToArray(), NpgsqlDbType.Double);
        AddArray(command, "@n", rows.Select(r => double.IsNaN(r.Value)).ToArray(), NpgsqlDbType.Boolean);
        AddArray(command, "@t", rows.Select(r => r.Timestamp).ToArray(), NpgsqlDbType.Bigint);
        AddArray(command, "@s", rows.Select(r => r.Step).ToArray(), NpgsqlDbType.Bigint);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>NaN is stored as 0 with is_nan set: SQLite would turn a NaN into NULL.</summary>
    internal static double StoredValue(double value) => double.IsNaN(value) ? 0 : value;

    internal static DbParameter AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static void AddArray<T>(DbCommand command, string name, T[] values, NpgsqlDbType elementType) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | elementType) { Value = values });
}
