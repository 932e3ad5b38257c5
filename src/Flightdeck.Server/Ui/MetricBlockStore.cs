using System.Data;
using System.Data.Common;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Flightdeck.Server.Ui;

/// <summary>The metric_blocks table (migration 0010) and the seq-ranged metric row reads that go with it.</summary>
internal static class MetricBlockStore
{
    private const string Columns = """
        block, first_seq, last_seq, row_count, non_finite, ordered, min_step, max_step,
        low_seq, low_step, low_value, low_timestamp, high_seq, high_step, high_value, high_timestamp
        """;

    /// <summary>A series' blocks in block order.</summary>
    public static async Task<List<MetricBlock>> ReadBlocksAsync(DbConnection connection, string runId, string key, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM metric_blocks WHERE run_uuid = @r AND key = @k ORDER BY block";
        RunLogWriter.AddParameter(command, "@r", runId);
        RunLogWriter.AddParameter(command, "@k", key);
        var blocks = new List<MetricBlock>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            blocks.Add(new MetricBlock(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt32(3), reader.GetInt32(4),
                reader.GetBoolean(5), reader.GetInt64(6), reader.GetInt64(7), Point(reader, 8), Point(reader, 12)));
        }

        return blocks;
    }

    /// <summary>The last block's number and last seq; (-1, 0) when the series has none.</summary>
    public static async Task<(long Number, long LastSeq)> LastBlockAsync(DbConnection connection, string runId, string key, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT block, last_seq FROM metric_blocks WHERE run_uuid = @r AND key = @k ORDER BY block DESC LIMIT 1";
        RunLogWriter.AddParameter(command, "@r", runId);
        RunLogWriter.AddParameter(command, "@k", key);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetInt64(1)) : (-1, 0);
    }

    /// <summary>
    /// Rows with <paramref name="fromSeq"/> ≤ seq ≤ <paramref name="toSeq"/> in seq order: a range of the (run, key, seq)
    /// index; into <paramref name="buffer"/> (cleared first) when given, so a caller reading many can reuse one list.
    /// </summary>
    public static async Task<List<MetricRow>> ReadRowsAsync(DbConnection connection, string runId, string key, long fromSeq, long toSeq,
        int? limit, CancellationToken ct, List<MetricRow>? buffer = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, step, value, is_nan, timestamp FROM metrics WHERE run_uuid = @r AND key = @k AND seq >= @from"
            + (toSeq == long.MaxValue ? "" : " AND seq <= @to") + " ORDER BY seq" + (limit is null ? "" : " LIMIT @limit");
        RunLogWriter.AddParameter(command, "@r", runId);
        RunLogWriter.AddParameter(command, "@k", key);
        RunLogWriter.AddParameter(command, "@from", fromSeq);
        if (toSeq != long.MaxValue)
        {
            RunLogWriter.AddParameter(command, "@to", toSeq);
        }

        if (limit is { } l)
        {
            RunLogWriter.AddParameter(command, "@limit", l);
        }

        var rows = buffer ?? [];
        rows.Clear();
        if (connection is SqliteConnection sqlite)
        {
            ReadSqlite(sqlite, command, rows);
            return rows;
        }

        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new MetricRow(reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetBoolean(3), reader.GetInt64(4)));
        }

        return rows;
    }

    /// <summary>The summarizer reads back every point logged, so it steps the statement as the chart reader does.</summary>
    private static void ReadSqlite(SqliteConnection connection, DbCommand command, List<MetricRow> rows) =>
        MetricSeriesReader.StepSqlite(connection, command, statement => rows.Add(new MetricRow(raw.sqlite3_column_int64(statement, 0),
            raw.sqlite3_column_int64(statement, 1), raw.sqlite3_column_double(statement, 2), raw.sqlite3_column_int(statement, 3) != 0,
            raw.sqlite3_column_int64(statement, 4))));

    /// <summary>
    /// Appends blocks of a run that still exists; returns false (writing nothing) when it does not. Existing block
    /// numbers are kept: another server process summarizing the same rows wrote the same blocks.
    /// </summary>
    public static Task<bool> AppendAsync(Database database, string runId, string key, IReadOnlyList<MetricBlock> blocks, CancellationToken ct) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using (var check = connection.CreateCommand())
            {
                check.Transaction = transaction;
                // On PostgreSQL the KEY SHARE lock orders this against garbage collection, which deletes the run and only
                // then its blocks: either the run is gone here, or its deletion waits for this commit and then takes the blocks.
                check.CommandText = "SELECT 1 FROM runs WHERE run_uuid = @r" + (database.IsSqlite ? "" : " FOR KEY SHARE");
                RunLogWriter.AddParameter(check, "@r", runId);
                if (await check.ExecuteScalarAsync(ct) is null)
                {
                    return false;
                }
            }

            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"""
                INSERT INTO metric_blocks (run_uuid, key, {Columns})
                VALUES (@r, @k, @b, @fs, @ls, @n, @nf, @o, @mins, @maxs, @lq, @lst, @lv, @lt, @hq, @hst, @hv, @ht)
                ON CONFLICT (run_uuid, key, block) DO NOTHING
                """;
            RunLogWriter.AddParameter(insert, "@r", runId);
            RunLogWriter.AddParameter(insert, "@k", key);
            var p = new[] { "@b", "@fs", "@ls", "@n", "@nf", "@o", "@mins", "@maxs", "@lq", "@lst", "@lv", "@lt", "@hq", "@hst", "@hv", "@ht" }
                .Select(name => RunLogWriter.AddParameter(insert, name, DBNull.Value)).ToArray();
            foreach (var block in blocks)
            {
                p[0].Value = block.Number;
                p[1].Value = block.FirstSeq;
                p[2].Value = block.LastSeq;
                p[3].Value = block.RowCount;
                p[4].Value = block.NonFinite;
                p[5].Value = block.Ordered;
                p[6].Value = block.MinStep;
                p[7].Value = block.MaxStep;
                SetPoint(p, 8, block.Low);
                SetPoint(p, 12, block.High);
                await insert.ExecuteNonQueryAsync(ct);
            }

            return true;
        }, ct);

    /// <summary>Drops a series' blocks, so that the summarizer builds them again from its rows.</summary>
    public static Task DeleteAsync(Database database, string runId, string key, CancellationToken ct) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM metric_blocks WHERE run_uuid = @r AND key = @k";
            RunLogWriter.AddParameter(delete, "@r", runId);
            RunLogWriter.AddParameter(delete, "@k", key);
            await delete.ExecuteNonQueryAsync(ct);
        }, ct);

    private static void SetPoint(DbParameter[] parameters, int at, BlockPoint? point)
    {
        parameters[at].Value = point is { } p ? p.Seq : DBNull.Value;
        parameters[at + 1].Value = point is { } s ? s.Step : DBNull.Value;
        parameters[at + 2].Value = point is { } v ? v.Value : DBNull.Value;
        parameters[at + 3].Value = point is { } t ? t.Timestamp : DBNull.Value;
    }

    private static BlockPoint? Point(DbDataReader reader, int at) =>
        reader.IsDBNull(at) ? null : new BlockPoint(reader.GetInt64(at), reader.GetInt64(at + 1), reader.GetDouble(at + 2), reader.GetInt64(at + 3));
}
