using Flightdeck.Analytics;
using Flightdeck.Contracts;
using Flightdeck.Serving.Rollouts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Server.Endpoints.Rollouts;

/// <summary>
/// The progressive delivery controller: every <see cref="RolloutControllerOptions.TickInterval"/> it judges each
/// endpoint's rollout in progress with <see cref="GuardrailEvaluator"/> over the bake windows of
/// <see cref="RolloutWindows"/>, and applies the decision through <see cref="EndpointLifecycle"/> (advance, promote or
/// roll back, each with its reading and reason in the endpoint's history). It also releases blue-green's STANDBY
/// version once the termination wait after the promote is over.
/// <para>All of its state is the stored rollout (strategy, step, step start, guardrails): a restarted server picks up
/// every rollout where the database says it is. Only the windows' counts are lost with the process; the step then
/// bakes again from the restart with fresh windows, so a restart delays a rollout but never judges it on data nobody
/// saw. Each server judges the traffic it served itself. The lifecycle's transitions name the rollout and step they
/// expect, so when several servers (or an API call) act on one rollout at once, the first wins and the others change
/// nothing.</para>
/// </summary>
internal sealed partial class RolloutController(
    EndpointLifecycle lifecycle,
    RolloutWindows windows,
    RolloutControllerOptions options,
    TimeProvider time,
    ILogger<RolloutController> logger) : BackgroundService
{
    private readonly Dictionary<string, (string WindowKey, DateTimeOffset At, long Requests)> _lastRecorded = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await TickAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogTickFailed(logger, e);
            }

            try
            {
                await Task.Delay(options.TickInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass over the rollouts in progress and the standbys.</summary>
    public async Task TickAsync(CancellationToken ct)
    {
        var judged = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in await lifecycle.ListInProgressAsync(ct))
        {
            judged.Add(endpoint.Name);
            try
            {
                await JudgeAsync(endpoint.Name, endpoint.Rollout!, ct);
            }
            catch (FlightdeckException e) when (e.ErrorCode is ErrorCode.ResourceConflict or ErrorCode.ResourceDoesNotExist)
            {
                // Another server or an API call ended or changed the rollout first, or the endpoint was deleted.
                LogLostRace(logger, endpoint.Name, e.Message);
            }
        }

        foreach (var name in windows.WatchedEndpoints.Where(n => !judged.Contains(n)))
        {
            windows.Unwatch(name);
            _lastRecorded.Remove(name);
        }

        await ReleaseStandbysAsync(ct);
    }

    private async Task JudgeAsync(string name, EndpointRollout rollout, CancellationToken ct)
    {
        var windowKey = WindowKey(rollout.RolloutId, rollout.CurrentStep);
        windows.Watch(name, windowKey);
        var candidate = windows.Snapshot(name, rollout.ModelName, rollout.CandidateVersion);
        var baseline = rollout.BaselineVersion is { } baselineVersion
            ? windows.Snapshot(name, rollout.BaselineModelName ?? rollout.ModelName, baselineVersion)
            : InferenceWindowSnapshot.Empty(candidate.Started);
        var now = time.GetUtcNow();
        var decision = GuardrailEvaluator.Evaluate(rollout, candidate, baseline, now, options.MinPsiSamples);
        switch (decision.Action)
        {
            case RolloutAction.Rollback:
                LogRollingBack(logger, name, rollout.RolloutId, decision.Reason);
                await lifecycle.RollbackAsync(name, $"Guardrail breached: {decision.Reason}", decision.Reading, rollout.RolloutId, ct);
                break;
            case RolloutAction.Promote:
                LogPromoting(logger, name, rollout.RolloutId, decision.Reason);
                await lifecycle.PromoteAsync(name, $"Promoted automatically: {decision.Reason}", decision.Reading, rollout.RolloutId, ct);
                break;
            case RolloutAction.Advance:
                if (await lifecycle.AdvanceStepAsync(name, rollout.RolloutId, rollout.CurrentStep, decision.Reading, ct) is not null)
                {
                    // The next step's window starts now, not at the next tick.
                    windows.Watch(name, WindowKey(rollout.RolloutId, rollout.CurrentStep + 1));
                    LogAdvanced(logger, name, rollout.RolloutId, decision.Reason);
                }
                break;
            default:
                await RecordReadingAsync(name, rollout, windowKey, decision.Reading, now, ct);
                break;
        }
    }

    private async Task RecordReadingAsync(string name, EndpointRollout rollout, string windowKey, GuardrailReading reading,
        DateTimeOffset now, CancellationToken ct)
    {
        if (_lastRecorded.TryGetValue(name, out var last) && last.WindowKey == windowKey
            && (last.Requests == reading.Requests || now - last.At < options.ReadingInterval))
            return;
        await lifecycle.RecordReadingAsync(name, rollout.RolloutId, rollout.CurrentStep, reading, ct);
        _lastRecorded[name] = (windowKey, now, reading.Requests);
    }

    private async Task ReleaseStandbysAsync(CancellationToken ct)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var endpoint in await lifecycle.ListWithStandbyAsync(ct))
        {
            if (endpoint.Rollout is not { Status: RolloutStatus.Succeeded, FinishedTimestamp: { } finished } rollout
                || nowMs - finished < rollout.TerminationWaitSeconds * 1000L)
                continue;
            try
            {
                if (await lifecycle.ReleaseStandbyAsync(endpoint.Name, ct) is not null)
                    LogStandbyReleased(logger, endpoint.Name, rollout.RolloutId);
            }
            catch (FlightdeckException e) when (e.ErrorCode is ErrorCode.ResourceConflict or ErrorCode.ResourceDoesNotExist)
            {
                LogLostRace(logger, endpoint.Name, e.Message);
            }
        }
    }

    private static string WindowKey(string rolloutId, int step) => $"{rolloutId}/{step}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rollouts: endpoint {Endpoint} rollout {RolloutId} rolls back: {Reason}")]
    private static partial void LogRollingBack(ILogger logger, string endpoint, string rolloutId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rollouts: endpoint {Endpoint} rollout {RolloutId} promotes: {Reason}")]
    private static partial void LogPromoting(ILogger logger, string endpoint, string rolloutId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rollouts: endpoint {Endpoint} rollout {RolloutId} advanced: {Reason}")]
    private static partial void LogAdvanced(ILogger logger, string endpoint, string rolloutId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rollouts: endpoint {Endpoint} released the standby of rollout {RolloutId}")]
    private static partial void LogStandbyReleased(ILogger logger, string endpoint, string rolloutId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rollouts: endpoint {Endpoint} changed under the controller: {Message}")]
    private static partial void LogLostRace(ILogger logger, string endpoint, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rollouts: a controller tick failed; the next one retries")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);
}
