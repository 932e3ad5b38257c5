using System.Data.Common;
using System.Text.Json;
using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Outbox;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Lineage;

/// <summary>
/// Emits OpenLineage events for Flightdeck's runs through the outbox: START when a run is created, COMPLETE, FAIL or
/// ABORT when it ends. Each is enqueued once, in the transaction of the change that causes it (openlineage_emissions
/// records what was sent), so an event exists exactly when its change committed and survives restarts until delivered.
/// </summary>
internal sealed class OpenLineageEmitter(string destination, string @namespace) : IRunObserver
{
    private const string StartPhase = "start";
    private const string EndPhase = "end";

    private sealed class RunRow
    {
        public string run_uuid { get; set; } = "";
        public string name { get; set; } = "";
        public long experiment_id { get; set; }
        public string experiment_name { get; set; } = "";
        public string user_id { get; set; } = "";
        public string status { get; set; } = "";
        public long start_time { get; set; }
        public long? end_time { get; set; }
    }

    private sealed class DatasetRow
    {
        public long experiment_id { get; set; }
        public string name { get; set; } = "";
        public string digest { get; set; } = "";
        public string? source_uri { get; set; }
        public string? schema { get; set; }
    }

    /// <summary>The OpenLineage endpoint for a configured URL: a base URL gets Marquez's <c>api/v1/lineage</c> path.</summary>
    public static string Endpoint(string url)
    {
        var trimmed = url.Trim();
        var uri = new Uri(trimmed, UriKind.Absolute);
        return uri.AbsolutePath.TrimEnd('/').EndsWith("/lineage", StringComparison.Ordinal) ? trimmed : trimmed.TrimEnd('/') + "/api/v1/lineage";
    }

    public async Task RunChangedAsync(DbConnection connection, DbTransaction transaction, string runId, CancellationToken ct)
    {
        var run = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(
            """
            SELECT r.run_uuid, r.name, r.experiment_id, e.name AS experiment_name, r.user_id, r.status, r.start_time, r.end_time
            FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id WHERE r.run_uuid = @runId
            """, new { runId }, transaction, cancellationToken: ct));
        if (run is null)
        {
            return;
        }

        var facts = new FlightdeckRunEvents.RunFacts(run.run_uuid, run.name, run.experiment_id, run.experiment_name, run.user_id, run.status, run.start_time);
        await EmitOnceAsync(connection, transaction, run.run_uuid, StartPhase, OpenLineageEventType.Start,
            () => Task.FromResult(FlightdeckRunEvents.Build(OpenLineageEventType.Start, run.start_time, facts, [], [], @namespace)), ct);
        if (FlightdeckRunEvents.TerminalEventType(run.status) is { } terminal)
        {
            await EmitOnceAsync(connection, transaction, run.run_uuid, EndPhase, terminal, async () =>
            {
                var inputs = await connection.QueryAsync<DatasetRow>(new CommandDefinition(
                    """
                    SELECT d.experiment_id, d.name, d.digest, d.source_uri, d.schema FROM run_inputs i
                    JOIN datasets d ON d.dataset_uuid = i.dataset_uuid WHERE i.run_uuid = @runId ORDER BY d.name, d.digest
                    """, new { runId }, transaction, cancellationToken: ct));
                var outputs = await connection.QueryAsync<(string Name, int Version)>(new CommandDefinition(
                    "SELECT name, version FROM model_versions WHERE run_id = @runId ORDER BY name, version", new { runId }, transaction, cancellationToken: ct));
                return FlightdeckRunEvents.Build(terminal, run.end_time ?? Clock.NowMs(), facts,
                    [.. inputs.Select(d => new FlightdeckRunEvents.DatasetFacts(d.experiment_id, d.name, d.digest, d.source_uri, d.schema))],
                    [.. outputs.Select(m => new FlightdeckRunEvents.ModelFacts(m.Name, m.Version))], @namespace);
            }, ct);
        }
    }

    private async Task EmitOnceAsync(
        DbConnection connection, DbTransaction transaction, string runId, string phase, string eventType, Func<Task<OpenLineageRunEvent>> build,
        CancellationToken ct)
    {
        var claimed = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO openlineage_emissions (run_uuid, phase, event_type, outbox_id, emitted_time) VALUES (@runId, @phase, @eventType, 0, @now)
            ON CONFLICT (run_uuid, phase) DO NOTHING
            """, new { runId, phase, eventType, now = Clock.NowMs() }, transaction, cancellationToken: ct));
        if (claimed == 0)
        {
            return;
        }

        var payload = JsonSerializer.Serialize(await build(), OpenLineageJsonContext.Default.OpenLineageRunEvent);
        var outboxId = await OutboxWriter.EnqueueAsync(connection, transaction,
            new OutboxMessage(destination, payload) { Subject = runId, Topic = "openlineage." + eventType }, ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE openlineage_emissions SET outbox_id = @outboxId WHERE run_uuid = @runId AND phase = @phase",
            new { outboxId, runId, phase }, transaction, cancellationToken: ct));
    }
}
