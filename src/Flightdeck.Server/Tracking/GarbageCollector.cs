using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Artifacts;
using Flightdeck.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Server.Tracking;

/// <summary>
/// Permanently removes runs and experiments that were soft-deleted long enough ago, with their artifacts. MLflow
/// leaves them behind (mlflow#602, #2152); here `flightdeck gc` or the scheduled service calls it.
/// Artifacts go first: if the process dies in between, the rows are still there and the next pass finishes the job.
/// </summary>
internal sealed class GarbageCollector(Database database, IArtifactStore artifacts, ILogger<GarbageCollector> logger)
{
    private sealed class Candidate
    {
        public string run_uuid { get; set; } = "";
        public string artifact_uri { get; set; } = "";
    }

    public async Task<GcResponse> CollectAsync(TimeSpan olderThan, IReadOnlyList<string>? runIds, IReadOnlyList<string>? experimentIds,
        CancellationToken ct)
    {
        var cutoff = Clock.NowMs() - (long)olderThan.TotalMilliseconds;
        var expIds = (experimentIds ?? []).Select(id => Validation.ExperimentId(id, "experiment_ids")).ToList();
        var onlyRuns = (runIds ?? []).Select(Validation.RunId).ToList();
        if (expIds.Contains(ExperimentStore.DefaultExperimentId))
        {
            throw FlightdeckException.InvalidParameter("The default experiment '0' cannot be garbage-collected.");
        }

        await using var connection = await database.OpenAsync(ct);
        var experimentFilter = expIds.Count > 0 ? $" AND experiment_id IN ({string.Join(",", expIds)})" : "";
        var experiments = (await connection.QueryAsync<long>(new CommandDefinition(
            $"SELECT experiment_id FROM experiments WHERE lifecycle_stage = 'deleted' AND deleted_time <= @cutoff{experimentFilter}",
            new { cutoff }, cancellationToken: ct))).ToList();
        if (expIds.Except(experiments).ToList() is [var notDeleted, ..])
        {
            throw FlightdeckException.InvalidParameter($"Experiment {notDeleted} is not deleted, or was deleted less than the retention ago.");
        }

        // Runs of purged experiments go whatever their own state; other runs only when deleted and old enough.
        var parameters = new DynamicParameters(new { cutoff });
        var runNames = onlyRuns.Select((id, i) =>
        {
            parameters.Add("r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), id);
            return "@r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }).ToList();
        var runSql = $"""
            SELECT run_uuid, artifact_uri FROM runs
            WHERE (lifecycle_stage = 'deleted' AND deleted_time <= @cutoff{(onlyRuns.Count > 0 ? $" AND run_uuid IN ({string.Join(",", runNames)})" : "")}{(expIds.Count > 0 ? " AND 1 = 0" : "")})
               {(experiments.Count > 0 ? $"OR experiment_id IN ({string.Join(",", experiments)})" : "")}
            """;
        var runs = (await connection.QueryAsync<Candidate>(new CommandDefinition(runSql, parameters, cancellationToken: ct))).ToList();
        if (onlyRuns.Except(runs.Select(r => r.run_uuid)).FirstOrDefault() is { } notDeletedRun)
        {
            throw FlightdeckException.InvalidParameter($"Run {notDeletedRun} is not deleted, or was deleted less than the retention ago.");
        }

        foreach (var run in runs)
        {
            if (RunArtifactsApi.StoreRoot(run.artifact_uri) is { Length: > 0 } root)
            {
                // <exp>/<run>/artifacts: remove the run's whole folder, not just its artifacts/ child.
                var runFolder = root.EndsWith("/artifacts", StringComparison.Ordinal) ? root[..^"/artifacts".Length] : root;
                await artifacts.DeleteAsync(runFolder, ct);
            }
        }

        foreach (var experiment in experiments)
        {
            await artifacts.DeleteAsync(experiment.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        }

        await database.WriteAsync(async (c, t) =>
        {
            foreach (var run in runs)
            {
                // The metric tables have no foreign key to runs on PostgreSQL (migration 0009): no cascade removes them.
                // Chart blocks (0010, no foreign key) go after the run: a summarizer appending them holds the run's key
                // share lock, so the run's deletion waits for its commit and this statement then sees its blocks.
                foreach (var table in (string[])["metrics", "latest_metrics", "runs", "metric_blocks"])
                {
                    await c.ExecuteAsync(new CommandDefinition($"DELETE FROM {table} WHERE run_uuid = @run_uuid", new { run.run_uuid }, t,
                        cancellationToken: ct));
                }
            }

            if (experiments.Count > 0)
            {
                await c.ExecuteAsync(new CommandDefinition(
                    $"DELETE FROM experiments WHERE experiment_id IN ({string.Join(",", experiments)})", transaction: t, cancellationToken: ct));
            }
        }, ct);

        if (runs.Count + experiments.Count > 0)
        {
            logger.LogInformation("Garbage collection removed {Runs} runs and {Experiments} experiments", runs.Count, experiments.Count);
        }

        return new GcResponse
        {
            DeletedRunIds = runs.Select(r => r.run_uuid).ToList(),
            DeletedExperimentIds = experiments.Select(e => e.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(),
        };
    }
}
