using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Flightdeck.Server.Storage;

/// <summary>
/// The backend store's connection source. SQLite and PostgreSQL run the same schema and, apart from the few
/// places that ask <see cref="Dialect"/>, the same SQL.
/// </summary>
public sealed class Database : IAsyncDisposable
{
    private readonly DbDataSource _dataSource;

    // SQLite has one writer per file. Queuing writers here instead of letting them spin on SQLITE_BUSY keeps
    // latency flat under concurrency; other processes on the same file still wait through busy_timeout.
    private readonly SemaphoreSlim? _sqliteWriteGate;

    // The one SQLite write connection, opened once with its pragmas and reused under the gate: opening a pooled
    // connection and re-running pragmas per write cost more than the write itself.
    private DbConnection? _sqliteWriter;

    public Database(BackendStoreUri uri)
    {
        Uri = uri;
        Dialect = uri.Dialect;
        if (Dialect == SqlDialect.Sqlite)
        {
            var file = new SqliteConnectionStringBuilder(uri.ConnectionString).DataSource;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            _dataSource = SqliteFactory.Instance.CreateDataSource(uri.ConnectionString);
            _sqliteWriteGate = new SemaphoreSlim(1, 1);
        }
        else
        {
            _dataSource = NpgsqlDataSource.Create(uri.ConnectionString);
        }
    }

    public BackendStoreUri Uri { get; }

    public SqlDialect Dialect { get; }

    public bool IsSqlite => Dialect == SqlDialect.Sqlite;

    /// <summary>Opens a pooled connection for reading (or, on PostgreSQL, for anything).</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    private async Task<DbConnection> OpenSqliteWriterAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        // WAL lets readers run beside the writer; NORMAL sync in WAL mode survives a killed process (the WAL is in
        // the OS page cache), losing at most the last commits on power loss. Foreign keys drive the cascading purge.
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction, committed when it returns and rolled back when it throws.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        if (_sqliteWriteGate is null)
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var result = await work(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }

        await _sqliteWriteGate.WaitAsync(cancellationToken);
        try
        {
            _sqliteWriter ??= await OpenSqliteWriterAsync(cancellationToken);
            // Microsoft.Data.Sqlite begins IMMEDIATE, taking the write lock up front so that two processes never
            // deadlock upgrading read locks.
            await using var transaction = await _sqliteWriter.BeginTransactionAsync(cancellationToken);
            var result = await work(_sqliteWriter, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        catch (DbException)
        {
            // The connection may be unusable (I/O error, file replaced); the next write opens a fresh one.
            await DropSqliteWriterAsync();
            throw;
        }
        finally
        {
            _sqliteWriteGate.Release();
        }
    }

    private async Task DropSqliteWriterAsync()
    {
        if (_sqliteWriter is { } writer)
        {
            _sqliteWriter = null;
            await writer.DisposeAsync();
        }
    }

    public Task WriteAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken cancellationToken) =>
        WriteAsync<bool>(async (c, t) =>
        {
            await work(c, t);
            return true;
        }, cancellationToken);

    /// <summary>A dialect-correct boolean literal for SQL text.</summary>
    public string Bool(bool value) => IsSqlite ? (value ? "1" : "0") : (value ? "TRUE" : "FALSE");

    public async ValueTask DisposeAsync()
    {
        await DropSqliteWriterAsync();
        await _dataSource.DisposeAsync();
        _sqliteWriteGate?.Dispose();
        if (IsSqlite)
        {
            SqliteConnection.ClearAllPools();
        }
    }
}
