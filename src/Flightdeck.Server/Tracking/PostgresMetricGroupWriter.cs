using System.Data.Common;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Npgsql;
using NpgsqlTypes;
using static Flightdeck.Server.Tracking.RunLogWriter;

namespace Flightdeck.Server.Tracking;

/// <summary>
/// Group commit for PostgreSQL's metric-only batches. Each request in its own transaction costs PostgreSQL a commit
/// (a WAL flush) and its foreign-key lock on the run row, which caps a server far below what the rows themselves cost.
/// Here concurrently waiting requests share one statement, and so one transaction: every row of the group, the
/// summary rows pre-aggregated across the group, and the active check of every run the group touches, whose stages
/// come back so each request gets its own refusal. A few groups run at once (<see cref="MaxGroupsInFlight"/>), so a
/// lone request starts at once, never waiting for company; the queue only forms when all of them are busy.
/// No request is acknowledged before the commit that contains it. When a group statement fails, its requests are
/// retried one by one, so only the bad one fails.
/// </summary>
internal sealed class PostgresMetricGroupWriter(Database database)
{
    public const int MaxGroupRequests = 64;
    public const int MaxGroupRows = 10_000;
    public const int MaxGroupsInFlight = 3;

    private readonly Lock _gate = new();
    private readonly Queue<Job> _waiting = new();
    private int _inFlight;

    /// <summary>Writes <paramref name="metrics"/> to the run, returning once committed; refuses a missing or inactive run.</summary>
    public Task WriteAsync(string runId, List<MetricPoint> metrics, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var job = new Job(runId, metrics, cancellationToken);
        bool startGroup;
        lock (_gate)
        {
            _waiting.Enqueue(job);
            startGroup = _inFlight < MaxGroupsInFlight;
            if (startGroup)
            {
                _inFlight++;
            }
        }

        if (startGroup)
        {
            _ = DrainAsync();
        }

        return job.Completion.Task;
    }

    /// <summary>Writes groups until nothing waits; at most <see cref="MaxGroupsInFlight"/> of these loops run at once.</summary>
    private async Task DrainAsync()
    {
        var group = new List<Job>();
        while (true)
        {
            group.Clear();
            lock (_gate)
            {
                var rows = 0;
                while (group.Count < MaxGroupRequests && _waiting.TryPeek(out var next)
                       && (group.Count == 0 || rows + next.Metrics.Count <= MaxGroupRows))
                {
                    _waiting.Dequeue();
                    if (next.Completion.Task.IsCompleted)
                    {
                        continue; // cancelled while waiting
                    }

                    group.Add(next);
                    rows += next.Metrics.Count;
                }

                if (group.Count == 0)
                {
                    _inFlight--;
                    return;
                }
            }

            await WriteGroupAsync(group).ConfigureAwait(false);
        }
    }

    private async Task WriteGroupAsync(List<Job> group)
    {
        try
        {
            await WriteActiveAsync(group).ConfigureAwait(false);
        }
        catch (Exception groupError)
        {
            if (group.Count == 1)
            {
                group[0].Fail(groupError);
                return;
            }

            // The statement wrote nothing; alone, each request meets only its own fault.
            foreach (var job in group.Where(j => !j.Completion.Task.IsCompleted))
            {
                try
                {
                    await WriteActiveAsync([job]).ConfigureAwait(false);
                }
                catch (Exception error)
                {
                    job.Fail(error);
                }
            }
        }
    }

    /// <summary>
    /// Writes the group when every run it touches is active, and acknowledges it. Otherwise the statement wrote nothing:
    /// the requests to missing or inactive runs are refused and the rest are written again, without them.
    /// </summary>
    private async Task WriteActiveAsync(List<Job> group)
    {
        while (group.Count > 0)
        {
            var stages = await ExecuteAsync(group).ConfigureAwait(false);
            var refused = group.Where(job => stages.GetValueOrDefault(job.RunId) != LifecycleStage.Active).ToList();
            if (refused.Count == 0)
            {
                group.ForEach(job => job.Finish(LifecycleStage.Active));
                return;
            }

            refused.ForEach(job => job.Finish(stages.GetValueOrDefault(job.RunId)));
            group = group.Except(refused).ToList();
        }
    }

    /// <summary>
    /// One statement for the whole group, which writes only if every run of the group is active; returns the lifecycle
    /// stage of each of its runs that exists.
    /// </summary>
    private async Task<Dictionary<string, string>> ExecuteAsync(List<Job> group)
    {
        // Once a group is under way it runs to its end: other requests' points ride in the same statement.
        var ct = CancellationToken.None;
        var rowCount = group.Sum(j => j.Metrics.Count);
        var runIds = new string[rowCount];
        var rows = new List<MetricPoint>(rowCount);
        var runs = new HashSet<string>(StringComparer.Ordinal);
        var latest = new Dictionary<(string Run, string Key), MetricPoint>();
        foreach (var job in group)
        {
            runs.Add(job.RunId);
            foreach (var m in job.Metrics)
            {
                runIds[rows.Count] = job.RunId;
                rows.Add(m);
                if (!latest.TryGetValue((job.RunId, m.Key), out var current) || IsNewer(m, current))
                {
                    latest[(job.RunId, m.Key)] = m;
                }
            }
        }

        // ON CONFLICT may touch a row once per statement, hence one summary row per (run, key); the sorted order is the
        // lock order, the same in every process, so concurrent groups cannot deadlock on latest_metrics.
        var summary = latest.OrderBy(e => e.Key.Run, StringComparer.Ordinal).ThenBy(e => e.Key.Key, StringComparer.Ordinal).ToList();

        await using var connection = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = GroupSql;
        AddArray(command, "@runs", runs.ToArray(), NpgsqlDbType.Text);
        AddArray(command, "@r", runIds, NpgsqlDbType.Text);
        AddMetricArrays(command, "@", rows);
        AddArray(command, "@lr", summary.Select(e => e.Key.Run).ToArray(), NpgsqlDbType.Text);
        AddMetricArrays(command, "@l", summary.Select(e => e.Value).ToList());

        var stages = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            stages[reader.GetString(0)] = reader.GetString(1);
        }

        return stages;
    }

    // The inserts are gated on every run of the group being active (an InitPlan, evaluated once), not joined with the
    // runs row by row: without the join there is no hash join and no sort to restore the input order, which cost
    // PostgreSQL's executor more to set up and run than the check itself. A group with a refused request writes
    // nothing and is sent again without it (WriteActiveAsync). The rows are inserted in array order: metrics.seq is the
    // logging order, and the summary rows keep their lock order.
    // PostgreSQL runs the WITH clauses that the main query does not read in reverse order of appearance: the summary
    // upsert, written first, runs last, so its row locks (which concurrent groups on the same runs wait for) are held
    // only from there to the commit, not through the bulk of the points.
    private static readonly string GroupSql = $"""
        WITH run AS MATERIALIZED (SELECT run_uuid, lifecycle_stage FROM runs WHERE run_uuid = ANY(@runs)),
        summary AS (
            INSERT INTO latest_metrics (run_uuid, key, value, is_nan, timestamp, step)
            SELECT x.r, x.k, x.v, x.n, x.t, x.s
            FROM unnest(@lr, @lk, @lv, @ln, @lt, @ls) AS x(r, k, v, n, t, s)
            WHERE (SELECT count(*) FROM run WHERE lifecycle_stage = 'active') = cardinality(@runs)
            {NewerThanStored}),
        points AS (
            INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp, step)
            SELECT x.r, x.k, x.v, x.n, x.t, x.s
            FROM unnest(@r, @k, @v, @n, @t, @s) AS x(r, k, v, n, t, s)
            WHERE (SELECT count(*) FROM run WHERE lifecycle_stage = 'active') = cardinality(@runs))
        SELECT run_uuid, lifecycle_stage FROM run
        """;

    private static void AddArray<T>(DbCommand command, string name, T[] values, NpgsqlDbType elementType) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | elementType) { Value = values });

    private sealed class Job
    {
        private readonly CancellationTokenRegistration _cancellation;

        public Job(string runId, List<MetricPoint> metrics, CancellationToken cancellationToken)
        {
            RunId = runId;
            Metrics = metrics;
            // A cancelled request stops waiting at once; if its group had already started, its points may still land,
            // as with any request cancelled in flight. One still queued is skipped.
            _cancellation = cancellationToken.Register(() => Completion.TrySetCanceled(cancellationToken));
        }

        public string RunId { get; }

        public List<MetricPoint> Metrics { get; }

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Acknowledges the request after its commit, or refuses it by its run's stage (null: no such run).</summary>
        public void Finish(string? stage)
        {
            try
            {
                RequireActive(RunId, stage);
                Completion.TrySetResult();
            }
            catch (Exception refusal)
            {
                Completion.TrySetException(refusal);
            }
            finally
            {
                _cancellation.Dispose();
            }
        }

        public void Fail(Exception error)
        {
            Completion.TrySetException(error);
            _cancellation.Dispose();
        }
    }
}
