using System.Data;
using System.Data.Common;
using System.Globalization;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Flightdeck.Server.Ui;

/// <summary>See <see cref="MetricSeriesReader.VersionAsync"/>.</summary>
internal readonly record struct SeriesVersion(long MaxSeq, long Count);

/// <summary>One metric of one run as columns sorted by step; points that are NaN or infinite are counted, not kept.</summary>
internal sealed record MetricSeries(long[] Steps, double[] Values, long[] Timestamps, int NonFinite)
{
    public int Count => Steps.Length;
}

/// <summary>
/// Reads a metric's points in a step range for charts. It reads the same metrics table as
/// <see cref="MetricHistoryReader"/>, but into columns, because the history reader writes straight into a response.
/// </summary>
internal sealed class MetricSeriesReader(Database database)
{
    public Database Database => database;

    public async Task<MetricSeries> ReadAsync(string runId, string key, long? minStep, long? maxStep, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await EnsureRunAsync(connection, runId, ct);
        return await ReadPointsAsync(connection, runId, key, minStep, maxStep, ct);
    }

    public static async Task EnsureRunAsync(DbConnection connection, string runId, CancellationToken ct)
    {
        await using var check = connection.CreateCommand();
        check.CommandText = "SELECT COUNT(*) FROM runs WHERE run_uuid = @r";
        Add(check, "@r", runId);
        if (Convert.ToInt64(await check.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) == 0)
        {
            throw Validation.RunNotFound(runId);
        }
    }

    /// <summary>
    /// What identifies the rows of one run's metric: metric points are only ever appended (a run's deletion takes them
    /// all), so a cached chart of them stays right while this is unchanged. On SQLite one writer commits in seq order
    /// and AUTOINCREMENT never reuses a seq, so a reader sees a prefix and the highest seq alone tells; on PostgreSQL
    /// a transaction holding a lower seq can commit after a higher one, so the row count is part of it too.
    /// </summary>
    public static async Task<SeriesVersion> VersionAsync(DbConnection connection, bool sqlite, string runId, string key, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        // On SQLite, MAX alone is one index probe; with any other column beside it SQLite walks the key's entries.
        command.CommandText = sqlite
            ? "SELECT MAX(seq) FROM metrics WHERE run_uuid = @r AND key = @k"
            : "SELECT MAX(seq), COUNT(*) FROM metrics WHERE run_uuid = @r AND key = @k";
        Add(command, "@r", runId);
        Add(command, "@k", key);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new SeriesVersion(reader.IsDBNull(0) ? 0 : reader.GetInt64(0), sqlite ? 0 : reader.GetInt64(1));
    }

    /// <summary>The run's metric keys in ordinal order, each with its <see cref="SeriesVersion"/>, in one statement.</summary>
    public static async Task<List<(string Key, SeriesVersion Version)>> KeysAsync(DbConnection connection, bool sqlite, string runId,
        CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        var count = sqlite ? "0" : "(SELECT COUNT(*) FROM metrics m WHERE m.run_uuid = l.run_uuid AND m.key = l.key)";
        command.CommandText = $"""
            SELECT l.key, (SELECT MAX(seq) FROM metrics m WHERE m.run_uuid = l.run_uuid AND m.key = l.key), {count}
            FROM latest_metrics l WHERE l.run_uuid = @r
            """;
        Add(command, "@r", runId);
        var keys = new List<(string, SeriesVersion)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                keys.Add((reader.GetString(0), new SeriesVersion(reader.IsDBNull(1) ? 0 : reader.GetInt64(1), reader.GetInt64(2))));
            }
        }

        keys.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return keys;
    }

    /// <summary>
    /// The points in a step range, and within <paramref name="seqRange"/> when given: a zoomed chart's step range,
    /// translated by the series' blocks, is then a range of the (run_uuid, key, seq) index instead of the whole key.
    /// </summary>
    public static async Task<MetricSeries> ReadPointsAsync(DbConnection connection, string runId, string key, long? minStep, long? maxStep,
        CancellationToken ct, (long From, long To)? seqRange = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT step, value, is_nan, timestamp FROM metrics WHERE run_uuid = @r AND key = @k"
            + (seqRange is null ? "" : " AND seq >= @from AND seq <= @to")
            + (minStep is null ? "" : " AND step >= @min") + (maxStep is null ? "" : " AND step <= @max") + " ORDER BY seq";
        Add(command, "@r", runId);
        Add(command, "@k", key);
        if (seqRange is { } range)
        {
            Add(command, "@from", range.From);
            Add(command, "@to", range.To);
        }

        if (minStep is { } min)
        {
            Add(command, "@min", min);
        }

        if (maxStep is { } max)
        {
            Add(command, "@max", max);
        }

        var points = new PointColumns();
        if (connection is SqliteConnection sqlite)
        {
            ReadSqlite(sqlite, command, points);
        }
        else
        {
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
            while (await reader.ReadAsync(ct))
            {
                points.Add(reader.GetInt64(0), reader.GetDouble(1), reader.GetBoolean(2), reader.GetInt64(3));
            }
        }

        return SortByStep(points.Steps.ToArray(), points.Values.ToArray(), points.Timestamps.ToArray(), points.NonFinite);
    }

    /// <summary>Points are usually logged in step order; when not, a stable sort keeps same-step points in logging order.</summary>
    internal static MetricSeries SortByStep(long[] steps, double[] values, long[] timestamps, int nonFinite)
    {
        var sorted = true;
        for (var i = 1; i < steps.Length && sorted; i++)
        {
            sorted = steps[i - 1] <= steps[i];
        }

        if (sorted)
        {
            return new MetricSeries(steps, values, timestamps, nonFinite);
        }

        var order = Enumerable.Range(0, steps.Length).OrderBy(i => steps[i]).ToArray();
        return new MetricSeries(order.Select(i => steps[i]).ToArray(), order.Select(i => values[i]).ToArray(),
            order.Select(i => timestamps[i]).ToArray(), nonFinite);
    }

    /// <summary>
    /// SQLite rows are stepped with SQLitePCL directly, as the history reader does: Microsoft.Data.Sqlite's per-row
    /// reader work costs more than SQLite's own on a million points.
    /// </summary>
    private static void ReadSqlite(SqliteConnection connection, DbCommand command, PointColumns points) =>
        StepSqlite(connection, command, statement => points.Add(raw.sqlite3_column_int64(statement, 0), raw.sqlite3_column_double(statement, 1),
            raw.sqlite3_column_int(statement, 2) != 0, raw.sqlite3_column_int64(statement, 3)));

    /// <summary>
    /// Runs <paramref name="command"/> (text and integer parameters) with e_sqlite3 directly, calling
    /// <paramref name="row"/> for each row: Microsoft.Data.Sqlite's reader costs more per row than these long reads can bear.
    /// </summary>
    internal static void StepSqlite(SqliteConnection connection, DbCommand command, Action<sqlite3_stmt> row)
    {
        var db = connection.Handle!;
        Check(db, raw.sqlite3_prepare_v2(db, command.CommandText, out var statement));
        using (statement)
        {
            foreach (DbParameter parameter in command.Parameters)
            {
                var index = raw.sqlite3_bind_parameter_index(statement, parameter.ParameterName);
                Check(db, parameter.Value is string text ? raw.sqlite3_bind_text(statement, index, text)
                    : raw.sqlite3_bind_int64(statement, index, Convert.ToInt64(parameter.Value, CultureInfo.InvariantCulture)));
            }

            int rc;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                row(statement);
            }

            if (rc != raw.SQLITE_DONE)
            {
                throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
            }
        }
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
        }
    }

    private sealed class PointColumns
    {
        public List<long> Steps { get; } = [];

        public List<double> Values { get; } = [];

        public List<long> Timestamps { get; } = [];

        public int NonFinite { get; private set; }

        public void Add(long step, double value, bool isNan, long timestamp)
        {
            if (isNan || !double.IsFinite(value))
            {
                NonFinite++;
                return;
            }

            Steps.Add(step);
            Values.Add(value);
            Timestamps.Add(timestamp);
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
