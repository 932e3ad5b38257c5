using System.Data.Common;
using System.Threading.Channels;

namespace Flightdeck.Server.Storage;

/// <summary>
/// The one writer of a SQLite store, with group commit. SQLite allows one writer per file, so concurrent write
/// requests queue here; the writer takes every request waiting (up to <see cref="MaxGroup"/>) into one transaction,
/// each inside its own savepoint, and commits once. A request that fails rolls back to its savepoint alone, and no
/// request is acknowledged before the commit that contains it. Sharing the commit shares the pages it writes, which is
/// what bounds SQLite's write throughput.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    public const int MaxGroup = 64;

    private readonly Func<CancellationToken, Task<DbConnection>> _open;
    private readonly Channel<Job> _queue = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private DbConnection? _connection;

    public SqliteWriter(Func<CancellationToken, Task<DbConnection>> open)
    {
        _open = open;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Runs <paramref name="work"/> in a write transaction (shared with other queued writes) and returns once committed.</summary>
    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        var job = new Job<T>(work, transactional: true, cancellationToken);
        return Enqueue(job);
    }

    /// <summary>Runs <paramref name="work"/> on the write connection with no transaction open (maintenance such as checkpoints).</summary>
    public Task ExclusiveAsync(Func<DbConnection, Task> work, CancellationToken cancellationToken)
    {
        var job = new Job<bool>(async (connection, _) =>
        {
            await work(connection);
            return true;
        }, transactional: false, cancellationToken);
        return Enqueue(job);
    }

    private Task<T> Enqueue<T>(Job<T> job)
    {
        if (!_queue.Writer.TryWrite(job))
        {
            throw new ObjectDisposedException(nameof(SqliteWriter));
        }

        return job.Completion.Task;
    }

    private async Task RunAsync()
    {
        var group = new List<Job>(MaxGroup);
        while (await _queue.Reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
        {
            group.Clear();
            while (group.Count < MaxGroup && _queue.Reader.TryPeek(out var next))
            {
                if (!next.Transactional && group.Count > 0)
                {
                    break; // maintenance runs alone, between transactions
                }

                _queue.Reader.TryRead(out _);
                group.Add(next);
                if (!next.Transactional)
                {
                    break;
                }
            }

            try
            {
                _connection ??= await _open(_stopping.Token).ConfigureAwait(false);
                if (group is [{ Transactional: false } maintenance])
                {
                    await maintenance.RunAsync(_connection, null).ConfigureAwait(false);
                    maintenance.Complete();
                    continue;
                }

                await CommitGroupAsync(_connection, group).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The commit (or the connection) failed: no job of the group is durable. The next group reconnects.
                foreach (var job in group)
                {
                    job.Fail(ex);
                }

                await DropConnectionAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task CommitGroupAsync(DbConnection connection, List<Job> group)
    {
        // Microsoft.Data.Sqlite begins IMMEDIATE: the write lock is taken up front, so two processes sharing the file
        // never deadlock upgrading read locks.
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        foreach (var job in group)
        {
            if (job.CancellationToken.IsCancellationRequested)
            {
                job.Cancel();
                continue;
            }

            // Savepoint statements from the connection's prepared commands: SqliteTransaction.Save/Release compile them anew.
            PreparedCommands.Get(connection, transaction, "SAVEPOINT w").ExecuteNonQuery();
            try
            {
                await job.RunAsync(connection, transaction).ConfigureAwait(false);
                PreparedCommands.Get(connection, transaction, "RELEASE SAVEPOINT w").ExecuteNonQuery();
            }
            catch (Exception ex)
            {
                PreparedCommands.Get(connection, transaction, "ROLLBACK TO SAVEPOINT w").ExecuteNonQuery();
                PreparedCommands.Get(connection, transaction, "RELEASE SAVEPOINT w").ExecuteNonQuery();
                job.Fail(ex);
            }
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        foreach (var job in group)
        {
            job.Complete();
        }
    }

    private async Task DropConnectionAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            PreparedCommands.Release(connection);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await DropConnectionAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private abstract class Job(bool transactional, CancellationToken cancellationToken)
    {
        public bool Transactional { get; } = transactional;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public abstract Task RunAsync(DbConnection connection, DbTransaction? transaction);

        /// <summary>Acknowledges the job (after its commit); a job that already failed keeps its failure.</summary>
        public abstract void Complete();

        public abstract void Fail(Exception error);

        public abstract void Cancel();
    }

    private sealed class Job<T>(Func<DbConnection, DbTransaction, Task<T>> work, bool transactional, CancellationToken cancellationToken)
        : Job(transactional, cancellationToken)
    {
        private T? _result;
        private bool _ran;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task RunAsync(DbConnection connection, DbTransaction? transaction)
        {
            _result = await work(connection, transaction!).ConfigureAwait(false);
            _ran = true;
        }

        public override void Complete()
        {
            if (_ran)
            {
                Completion.TrySetResult(_result!);
            }
        }

        public override void Fail(Exception error)
        {
            _ran = false;
            Completion.TrySetException(error);
        }

        public override void Cancel() => Completion.TrySetCanceled(CancellationToken);
    }
}
