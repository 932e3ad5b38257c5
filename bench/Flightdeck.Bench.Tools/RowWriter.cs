using System.Data.Common;
using Flightdeck.Server.Storage;
using Npgsql;

namespace Flightdeck.Bench.Tools;

/// <summary>
/// Bulk inserts for seeding: binary COPY on PostgreSQL, one reused prepared INSERT inside the caller's transaction on
/// SQLite. One table at a time, since a PostgreSQL connection holds one COPY at a time.
/// </summary>
internal abstract class RowWriter : IAsyncDisposable
{
    public static async Task<RowWriter> OpenAsync(Database database, DbConnection connection, DbTransaction? transaction, string table,
        string[] columns, CancellationToken ct)
    {
        if (database.IsSqlite)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"INSERT INTO {table} ({string.Join(",", columns)}) VALUES ({string.Join(",", columns.Select((_, i) => "$" + i))})";
            for (var i = 0; i < columns.Length; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "$" + i;
                command.Parameters.Add(parameter);
            }

            await command.PrepareAsync(ct);
            return new SqliteRows(command);
        }

        var importer = await ((NpgsqlConnection)connection).BeginBinaryImportAsync(
            $"COPY {table} ({string.Join(",", columns)}) FROM STDIN (FORMAT BINARY)", ct);
        importer.Timeout = TimeSpan.FromMinutes(30); // completing a COPY waits for the index builds
        return new PostgresRows(importer);
    }

    public abstract ValueTask AddAsync(object?[] values, CancellationToken ct);

    public abstract ValueTask DisposeAsync();

    private sealed class SqliteRows(DbCommand command) : RowWriter
    {
        public override async ValueTask AddAsync(object?[] values, CancellationToken ct)
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(ct);
        }

        public override async ValueTask DisposeAsync() => await command.DisposeAsync();
    }

    private sealed class PostgresRows(NpgsqlBinaryImporter importer) : RowWriter
    {
        public override async ValueTask AddAsync(object?[] values, CancellationToken ct)
        {
            await importer.StartRowAsync(ct);
            foreach (var value in values)
            {
                if (value is null)
                {
                    await importer.WriteNullAsync(ct);
                }
                else
                {
                    await importer.WriteAsync(value, ct);
                }
            }
        }

        public override async ValueTask DisposeAsync()
        {
            await importer.CompleteAsync();
            await importer.DisposeAsync();
        }
    }
}
