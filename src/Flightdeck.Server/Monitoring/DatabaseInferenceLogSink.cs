using System.Data.Common;
using System.Text;
using Flightdeck.Server.Storage;
using Flightdeck.Serving;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;

namespace Flightdeck.Server.Monitoring;

/// <summary>
/// The server's inference log sink: each batch is one transaction on the backend store (on SQLite it joins the group
/// commit of <see cref="SqliteWriter"/>), so a batch is stored whole or not at all. On SQLite the rows go through one
/// statement kept prepared on the write connection, the JSON bound straight from the writer's UTF-8 buffer; on
/// PostgreSQL the batch is one binary COPY.
/// </summary>
public sealed class DatabaseInferenceLogSink(Database database) : IInferenceLogSink
{
    private const string Columns = "request_id, endpoint, model_name, version, role, inputs_json, outputs_json, status, latency_us, time";

    private const string SqliteInsert = $"INSERT INTO inference_log ({Columns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

    private const string PostgresCopy = $"COPY inference_log ({Columns}) FROM STDIN (FORMAT BINARY)";

    public Task WriteAsync(IReadOnlyList<InferenceLogEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
            return Task.CompletedTask;
        return database.IsSqlite
            ? database.WriteAsync((connection, _) =>
            {
                InsertSqlite((SqliteConnection)connection, entries, cancellationToken);
                return Task.CompletedTask;
            }, cancellationToken)
            : database.WriteAsync((connection, _) => CopyPostgresAsync((NpgsqlConnection)connection, entries, cancellationToken), cancellationToken);
    }

    private static void InsertSqlite(SqliteConnection connection, IReadOnlyList<InferenceLogEntry> entries, CancellationToken cancellationToken)
    {
        var statement = PreparedCommands.GetRaw(connection, SqliteInsert);
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            BindText(connection, statement, 1, entry.RequestId);
            BindText(connection, statement, 2, entry.Endpoint);
            BindText(connection, statement, 3, entry.ModelName);
            BindText(connection, statement, 4, entry.Version);
            BindText(connection, statement, 5, entry.Role);
            PreparedCommands.Check(connection, raw.sqlite3_bind_text(statement, 6, entry.InputsJson.Span));
            PreparedCommands.Check(connection, entry.TryGetOutputs(out var outputs)
                ? raw.sqlite3_bind_text(statement, 7, outputs)
                : raw.sqlite3_bind_null(statement, 7));
            PreparedCommands.Check(connection, raw.sqlite3_bind_int(statement, 8, entry.Status));
            PreparedCommands.Check(connection, raw.sqlite3_bind_int64(statement, 9, entry.LatencyUs));
            PreparedCommands.Check(connection, raw.sqlite3_bind_int64(statement, 10, entry.Time));
            var rc = raw.sqlite3_step(statement);
            raw.sqlite3_reset(statement);
            if (rc != raw.SQLITE_DONE)
                PreparedCommands.Check(connection, rc);
        }
    }

    /// <summary>Binds a short string as UTF-8 from the stack (the string overload allocates a copy per call).</summary>
    private static void BindText(DbConnection connection, sqlite3_stmt statement, int index, string? value)
    {
        if (value is null)
        {
            PreparedCommands.Check(connection, raw.sqlite3_bind_null(statement, index));
            return;
        }
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Span<byte> utf8 = max <= 512 ? stackalloc byte[max] : new byte[max];
        var length = Encoding.UTF8.GetBytes(value, utf8);
        PreparedCommands.Check(connection, raw.sqlite3_bind_text(statement, index, utf8[..length]));
    }

    private static async Task CopyPostgresAsync(NpgsqlConnection connection, IReadOnlyList<InferenceLogEntry> entries, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync(PostgresCopy, cancellationToken);
        foreach (var entry in entries)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(entry.RequestId, NpgsqlDbType.Varchar, cancellationToken);
            await WriteNullableAsync(copy, entry.Endpoint, NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(entry.ModelName, NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(entry.Version, NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(entry.Role, NpgsqlDbType.Varchar, cancellationToken);
            await copy.WriteAsync(Encoding.UTF8.GetString(entry.InputsJson.Span), NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(copy, OutputsText(entry), NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(entry.Status, NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync(entry.LatencyUs, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(entry.Time, NpgsqlDbType.Bigint, cancellationToken);
        }
        await copy.CompleteAsync(cancellationToken);
    }

    private static string? OutputsText(InferenceLogEntry entry) =>
        entry.TryGetOutputs(out var outputs) ? Encoding.UTF8.GetString(outputs) : null;

    private static Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, type, cancellationToken);
}
