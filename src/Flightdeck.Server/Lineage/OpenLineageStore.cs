using System.Data.Common;
using System.Text.Json;
using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Lineage;

/// <summary>
/// Records OpenLineage RunEvents: the event verbatim, then its job, run and datasets, and the job's input and output
/// edges, which is what the lineage graph walks. Events may arrive in any order; a run's state follows the latest
/// event time, and a terminal state (COMPLETE, FAIL, ABORT) is never replaced by START or RUNNING.
/// </summary>
internal sealed class OpenLineageStore(Database database)
{
    private sealed class RunRow
    {
        public string? state { get; set; }
        public long state_time { get; set; }
        public long? start_time { get; set; }
        public long? end_time { get; set; }
        public string? facets { get; set; }
    }

    public Task RecordAsync(OpenLineageValidation.ValidEvent e, CancellationToken ct) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var now = Clock.NowMs();
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO openlineage_events (run_id, event_type, event_time, job_namespace, job_name, producer, received_time, body)
                VALUES (@RunId, @EventType, @EventTimeMs, @JobNamespace, @JobName, @producer, @now, @body)
                """,
                new
                {
                    e.RunId, e.EventType, e.EventTimeMs, e.JobNamespace, e.JobName, producer = e.Event.Producer, now,
                    body = JsonSerializer.Serialize(e.Event, OpenLineageJsonContext.Default.OpenLineageRunEvent),
                }, transaction, cancellationToken: ct));

            var jobFacets = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT facets FROM openlineage_jobs WHERE namespace = @JobNamespace AND name = @JobName",
                new { e.JobNamespace, e.JobName }, transaction, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO openlineage_jobs (namespace, name, facets, created_time, updated_time) VALUES (@JobNamespace, @JobName, @facets, @now, @now)
                ON CONFLICT (namespace, name) DO UPDATE SET facets = excluded.facets, updated_time = excluded.updated_time
                """,
                new { e.JobNamespace, e.JobName, facets = FacetMerge.Merge(jobFacets, e.Event.Job!.Facets), now },
                transaction, cancellationToken: ct));

            await RecordRunAsync(connection, transaction, e, now, ct);
            foreach (var (datasets, direction) in new[] { (e.Inputs, LineageEdgeKind.Input), (e.Outputs, LineageEdgeKind.Output) })
            {
                foreach (var dataset in datasets)
                {
                    await RecordDatasetAsync(connection, transaction, e, dataset, direction, now, ct);
                }
            }
        }, ct);

    private static async Task RecordRunAsync(DbConnection connection, DbTransaction transaction, OpenLineageValidation.ValidEvent e, long now, CancellationToken ct)
    {
        var stored = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(
            "SELECT state, state_time, start_time, end_time, facets FROM openlineage_runs WHERE run_id = @RunId",
            new { e.RunId }, transaction, cancellationToken: ct));
        var changesState = e.EventType is not (null or OpenLineageEventType.Other)
            && (stored is null || stored.state is null
                || (OpenLineageEventType.IsTerminal(e.EventType) && !OpenLineageEventType.IsTerminal(stored.state))
                || (OpenLineageEventType.IsTerminal(e.EventType) == OpenLineageEventType.IsTerminal(stored.state) && e.EventTimeMs >= stored.state_time));
        var state = changesState ? e.EventType : stored?.state;
        var stateTime = changesState || stored is null ? e.EventTimeMs : stored.state_time;
        var startTime = e.EventType == OpenLineageEventType.Start && (stored?.start_time is null || e.EventTimeMs < stored.start_time)
            ? e.EventTimeMs
            : stored?.start_time;
        var endTime = OpenLineageEventType.IsTerminal(e.EventType) && changesState ? e.EventTimeMs : stored?.end_time;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO openlineage_runs (run_id, job_namespace, job_name, state, state_time, start_time, end_time, facets, updated_time)
            VALUES (@RunId, @JobNamespace, @JobName, @state, @stateTime, @startTime, @endTime, @facets, @now)
            ON CONFLICT (run_id) DO UPDATE SET job_namespace = excluded.job_namespace, job_name = excluded.job_name, state = excluded.state,
                state_time = excluded.state_time, start_time = excluded.start_time, end_time = excluded.end_time, facets = excluded.facets,
                updated_time = excluded.updated_time
            """,
            new
            {
                e.RunId, e.JobNamespace, e.JobName, state, stateTime, startTime, endTime,
                facets = FacetMerge.Merge(stored?.facets, e.Event.Run!.Facets), now,
            }, transaction, cancellationToken: ct));
    }

    private static async Task RecordDatasetAsync(
        DbConnection connection, DbTransaction transaction, OpenLineageValidation.ValidEvent e, OpenLineageDataset dataset, string direction,
        long now, CancellationToken ct)
    {
        var key = new { ns = dataset.Namespace!, name = dataset.Name! };
        var facets = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT facets FROM openlineage_datasets WHERE namespace = @ns AND name = @name", key, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO openlineage_datasets (namespace, name, uri, facets, updated_time) VALUES (@ns, @name, @uri, @facets, @now)
            ON CONFLICT (namespace, name) DO UPDATE SET facets = excluded.facets, updated_time = excluded.updated_time
            """,
            new { key.ns, key.name, uri = DatasetSourceUri.FromOpenLineage(key.ns, key.name), facets = FacetMerge.Merge(facets, dataset.Facets), now },
            transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO openlineage_job_io (job_namespace, job_name, dataset_namespace, dataset_name, direction, last_run_id, updated_time)
            VALUES (@JobNamespace, @JobName, @ns, @name, @direction, @RunId, @now)
            ON CONFLICT (job_namespace, job_name, dataset_namespace, dataset_name, direction)
            DO UPDATE SET last_run_id = excluded.last_run_id, updated_time = excluded.updated_time
            """,
            new { e.JobNamespace, e.JobName, key.ns, key.name, direction, e.RunId, now }, transaction, cancellationToken: ct));
    }
}
