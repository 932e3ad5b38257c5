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

    // SQLite allows one writer per file: writes queue on one connection and commit in groups (SqliteWriter).
    private readonly SqliteWriter? _sqliteWriter;

    public Database(BackendStoreUri uri)
    {
        Uri = uri;
        Dialect = uri.Dialect;
        if (Dialect == SqlDialect.Sqlite)
        {
            var file = new SqliteConnectionStringBuilder(uri.ConnectionString).DataSource;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            _dataSource = SqliteFactory.Instance.CreateDataSource(uri.ConnectionString);
            _sqliteWriter = new SqliteWriter(OpenSqliteWriterAsync);
        }
        else
        {
            // Auto-prepare the statements that repeat (logging, run reads): PostgreSQL then skips parsing and planning
            // them, and Npgsql sends less. A store URI that sets these keeps its own values.
            var builder = new NpgsqlConnectionStringBuilder(uri.ConnectionString);
            if (builder.MaxAutoPrepare == 0)
            {
                builder.MaxAutoPrepare = 64;
                builder.AutoPrepareMinUsages = 3;
            }

            _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        }
    }

    public BackendStoreUri Uri { get; }

    public SqlDialect Dialect { get; }

    public bool IsSqlite => Dialect == SqlDialect.Sqlite;

    /// <summary>Opens a pooled connection for reading (or, on PostgreSQL, for anything).</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        if (IsSqlite)
        {
            // Memory-mapped reads: index walks (search, history) touch thousands of pages, and each read() of one
            // costs a system call; mapped pages are read in place. The setting is per connection, pooled ones included.
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = SqliteReaderPragmas;
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        return connection;
    }

    private const string SqliteReaderPragmas = "PRAGMA mmap_size=1073741824";

    private async Task<DbConnection> OpenSqliteWriterAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        // WAL lets readers run beside the writer; NORMAL sync in WAL mode survives a killed process (the WAL is in
        // the OS page cache), losing at most the last commits on power loss. Foreign keys drive the cascading purge.
        // Automatic checkpoints would fsync inside whichever request commits the 1000th page, a tail latency of tens of
        // milliseconds; SqliteCheckpointer runs them in the background instead, and restarts a log that constant writes
        // keep from starting over once it reaches 128 MB; a journal size limit of twice that keeps the file from being truncated
        // at each restart and grown again, block by block, by the commits after it. Log-batch over many runs touches one
        // index leaf per (run, key) it appends to: a page cache larger than the default 2 MB keeps that working set
        // in memory rather than reading pages back from the file (up to ~130 reads per 1,000-metric request).
        pragma.CommandText =
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=268435456; PRAGMA cache_size=-32768;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction: committed when it returns (only then does this return),
    /// rolled back when it throws. On SQLite the transaction may be shared with other writes (group commit), each
    /// isolated by a savepoint.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        if (_sqliteWriter is not null)
        {
            return await _sqliteWriter.WriteAsync(work, cancellationToken);
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    public Task WriteAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken cancellationToken) =>
        WriteAsync<bool>(async (c, t) =>
        {
            await work(c, t);
            return true;
        }, cancellationToken);

    /// <summary>Runs <paramref name="work"/> on the SQLite write connection between write transactions (SQLite only).</summary>
    internal Task WithSqliteWriterAsync(Func<DbConnection, Task> work, CancellationToken cancellationToken) =>
        _sqliteWriter is null
            ? throw new InvalidOperationException("Only SQLite stores have a write connection.")
            : _sqliteWriter.ExclusiveAsync(work, cancellationToken);

    /// <summary>A dialect-correct boolean literal for SQL text.</summary>
    public string Bool(bool value) => IsSqlite ? (value ? "1" : "0") : (value ? "TRUE" : "FALSE");

    public async ValueTask DisposeAsync()
    {
        if (_sqliteWriter is not null)
        {
            await _sqliteWriter.DisposeAsync();
        }

        await _dataSource.DisposeAsync();
        if (IsSqlite)
        {
            SqliteConnection.ClearAllPools();
        }
    }
}
