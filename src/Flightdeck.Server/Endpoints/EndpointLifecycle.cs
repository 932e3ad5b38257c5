using Flightdeck.Contracts;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Endpoints;

/// <summary>
/// Every change of an endpoint, for the API and for the rollout controller alike. Each transition is one transaction
/// guarded by the endpoint's row version (<see cref="EndpointStore.ChangeAsync"/>), appends its history event, and
/// refreshes this process's routing before it returns. The controller's transitions name the rollout (and step) they
/// expect, so a transition decided on a stale reading changes nothing.
/// </summary>
internal sealed class EndpointLifecycle(EndpointStore store, ModelVersionResolver resolver, EndpointRuntime runtime)
{
    public const int DefaultBakeSeconds = 60;
    public const int DefaultTerminationWaitSeconds = 300;

    public async Task<ServingEndpoint> CreateAsync(CreateEndpointRequest request, CancellationToken ct)
    {
        var name = EndpointValidation.Name(request.Name);
        var description = EndpointValidation.Description(request.Description);
        var settings = EndpointValidation.Settings(request.Settings);
        var version = await resolver.ResolveAsync(request.ModelName, request.Version, request.Alias, ct);
        if (await store.FindAsync(name, ct) is not null)
            throw EndpointValidation.AlreadyExists(name);
        await runtime.EnsureLoadedAsync(request.ModelName!, version, settings, ct);
        var endpoint = await store.CreateAsync(new ServingEndpoint
        {
            Name = name,
            Description = description,
            Routes = [new EndpointRoute { ModelName = request.ModelName!, Version = version, Weight = 100, Role = RouteRole.Live }],
            Settings = settings,
        }, ct);
        await runtime.RefreshAsync(ct);
        return endpoint;
    }

    /// <summary>PATCH: description, settings (merged field by field) and manual routes (not while a rollout runs).</summary>
    public async Task<ServingEndpoint> UpdateAsync(string name, UpdateEndpointRequest request, CancellationToken ct)
    {
        name = EndpointValidation.Name(name);
        var description = EndpointValidation.Description(request.Description);
        var current = await store.GetAsync(name, ct);
        var settings = EndpointValidation.Merge(current.Settings, request.Settings);
        if (request.Routes?.Contains(null!) == true)
            throw FlightdeckException.InvalidParameter("Every entry of 'routes' must be an object.");
        var routes = request.Routes is null ? null : EndpointValidation.Routes([.. request.Routes.Select(r => r with { Role = r.Role?.ToUpperInvariant() ?? "" })]);
        if (routes is not null)
        {
            RefuseDuringRollout(current);
            await resolver.CheckExistAsync(routes, ct);
        }

        foreach (var route in routes ?? current.Routes)
            await runtime.EnsureLoadedAsync(route.ModelName, route.Version, settings, ct);
        var updated = await store.ChangeAsync(name, endpoint =>
        {
            if (routes is not null)
                RefuseDuringRollout(endpoint);
            var after = endpoint with
            {
                Description = request.Description is null ? endpoint.Description : description,
                Settings = settings,
                Routes = routes ?? endpoint.Routes,
            };
            return new EndpointChange(after, routes is null ? EndpointEventType.SettingsChanged : EndpointEventType.TrafficChanged);
        }, ct);
        await runtime.RefreshAsync(ct);
        return updated!;
    }

    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        await store.DeleteAsync(EndpointValidation.Name(name), ct);
        await runtime.RefreshAsync(ct);
    }

    /// <summary>Starts a rollout: the candidate is loaded (and for blue-green health-checked) first, then the rollout is
    /// written IN_PROGRESS at step 0 with that step's routes.</summary>
    public async Task<ServingEndpoint> DeployAsync(string name, DeployRequest request, CancellationToken ct)
    {
        name = EndpointValidation.Name(name);
        var current = await store.GetAsync(name, ct);
        RefuseDuringRollout(current);
        var baseline = Baseline(current);
        var modelName = string.IsNullOrEmpty(request.ModelName) ? baseline.ModelName : request.ModelName;
        var version = await resolver.ResolveAsync(modelName, request.Version, request.Alias, ct);
        if (modelName == baseline.ModelName && version == baseline.Version)
            throw FlightdeckException.InvalidParameter($"Version {version} of '{Validation.Shorten(modelName)}' is already LIVE on endpoint '{name}'.");
        var (strategy, steps) = EndpointValidation.Strategy(request.Strategy, request.Steps);
        var bakeSeconds = EndpointValidation.Seconds(request.BakeSeconds, DefaultBakeSeconds, "bake_seconds");
        var terminationWait = EndpointValidation.Seconds(request.TerminationWaitSeconds, DefaultTerminationWaitSeconds, "termination_wait_seconds");
        var guardrails = EndpointValidation.Guardrails(request.Guardrails);

        var candidate = await runtime.EnsureLoadedAsync(modelName, version, current.Settings, ct);
        if (strategy == RolloutStrategy.BlueGreen)
            await HealthCheckAsync(candidate, modelName, version, ct);

        var now = Clock.NowMs();
        var rolloutId = Guid.NewGuid().ToString("N");
        var updated = await store.ChangeAsync(name, endpoint =>
        {
            RefuseDuringRollout(endpoint);
            var live = Baseline(endpoint);
            var rollout = new EndpointRollout
            {
                RolloutId = rolloutId,
                Strategy = strategy,
                Status = RolloutStatus.InProgress,
                ModelName = modelName,
                CandidateVersion = version,
                BaselineModelName = live.ModelName,
                BaselineVersion = live.Version,
                Steps = steps,
                CurrentStep = 0,
                BakeSeconds = bakeSeconds,
                TerminationWaitSeconds = strategy == RolloutStrategy.BlueGreen ? terminationWait : 0,
                Guardrails = guardrails,
                StartedTimestamp = now,
                StepStartedTimestamp = now,
            };
            return new EndpointChange(endpoint with { Routes = StepRoutes(rollout, 0), Rollout = rollout }, EndpointEventType.RolloutStarted,
                rolloutId, $"{strategy} rollout of version {version} of '{modelName}', steps [{string.Join(", ", steps)}]");
        }, ct);
        await runtime.RefreshAsync(ct);
        return updated!;
    }

    /// <summary>Moves the rollout <paramref name="rolloutId"/> from step <paramref name="expectedStep"/> to the next, with
    /// that step's routes. Null (nothing changed) when the rollout is no longer at that step or has no further step.</summary>
    public async Task<ServingEndpoint?> AdvanceStepAsync(string name, string rolloutId, int expectedStep, GuardrailReading? reading,
        CancellationToken ct = default)
    {
        var updated = await store.ChangeAsync(name, endpoint =>
        {
            if (endpoint.Rollout is not { Status: RolloutStatus.InProgress } rollout || rollout.RolloutId != rolloutId
                || rollout.CurrentStep != expectedStep || expectedStep + 1 >= rollout.Steps.Count)
                return null;
            var next = rollout with
            {
                CurrentStep = expectedStep + 1,
                StepStartedTimestamp = Clock.NowMs(),
                LastReading = reading ?? rollout.LastReading,
            };
            return new EndpointChange(endpoint with { Routes = StepRoutes(next, next.CurrentStep), Rollout = next }, EndpointEventType.StepAdvanced,
                rolloutId, $"Step {next.CurrentStep}: {next.Steps[next.CurrentStep]}%", reading);
        }, ct);
        if (updated is not null)
            await runtime.RefreshAsync(ct);
        return updated;
    }

    /// <summary>Ends the rollout in progress with the candidate LIVE for all traffic. Blue-green keeps the old version
    /// STANDBY until <see cref="ReleaseStandbyAsync"/> (after the termination wait); the others drop it. With
    /// <paramref name="rolloutId"/>, only that rollout is promoted.</summary>
    public async Task<ServingEndpoint> PromoteAsync(string name, string? reason, GuardrailReading? reading = null, string? rolloutId = null,
        CancellationToken ct = default)
    {
        name = EndpointValidation.Name(name);
        reason = EndpointValidation.Reason(reason);
        var updated = await store.ChangeAsync(name, endpoint =>
        {
            var rollout = InProgress(endpoint, rolloutId, "promote");
            var candidate = new EndpointRoute { ModelName = rollout.ModelName, Version = rollout.CandidateVersion, Weight = 100, Role = RouteRole.Live };
            List<EndpointRoute> routes = rollout.Strategy == RolloutStrategy.BlueGreen && BaselineRoute(rollout) is { } baseline
                ? [candidate, baseline with { Weight = 0, Role = RouteRole.Standby }]
                : [candidate];
            var done = rollout with
            {
                Status = RolloutStatus.Succeeded,
                FinishedTimestamp = Clock.NowMs(),
                Reason = reason ?? "Promoted",
                LastReading = reading ?? rollout.LastReading,
            };
            return new EndpointChange(endpoint with { Routes = routes, Rollout = done }, EndpointEventType.Promoted, rollout.RolloutId, done.Reason, reading);
        }, ct);
        await runtime.RefreshAsync(ct);
        return updated!;
    }

    /// <summary>Returns all traffic to the baseline and drops the candidate: for the rollout in progress, or for a
    /// blue-green rollout that succeeded while its old version is still STANDBY (the instant rollback).</summary>
    public async Task<ServingEndpoint> RollbackAsync(string name, string? reason, GuardrailReading? reading = null, string? rolloutId = null,
        CancellationToken ct = default)
    {
        name = EndpointValidation.Name(name);
        reason = EndpointValidation.Reason(reason);
        var updated = await store.ChangeAsync(name, endpoint =>
        {
            var rollout = endpoint.Rollout;
            var standbyRollback = rollout is { Status: RolloutStatus.Succeeded, Strategy: RolloutStrategy.BlueGreen }
                && (rolloutId is null || rolloutId == rollout.RolloutId)
                && endpoint.Routes.Any(r => r.Role == RouteRole.Standby && r.ModelName == rollout.BaselineModelName && r.Version == rollout.BaselineVersion);
            if (!standbyRollback)
                rollout = InProgress(endpoint, rolloutId, "roll back");
            var baseline = BaselineRoute(rollout!) ?? throw EndpointValidation.Conflict("The rollout has no baseline version to return to.");
            var done = rollout! with
            {
                Status = RolloutStatus.RolledBack,
                FinishedTimestamp = Clock.NowMs(),
                Reason = reason ?? "Rolled back",
                LastReading = reading ?? rollout.LastReading,
            };
            return new EndpointChange(endpoint with { Routes = [baseline], Rollout = done }, EndpointEventType.RolledBack, rollout.RolloutId,
                done.Reason, reading);
        }, ct);
        await runtime.RefreshAsync(ct);
        return updated!;
    }

    /// <summary>Drops the STANDBY routes once no rollout needs them (blue-green's termination wait is over). Null when
    /// there is nothing to release.</summary>
    public async Task<ServingEndpoint?> ReleaseStandbyAsync(string name, CancellationToken ct = default)
    {
        var updated = await store.ChangeAsync(name, endpoint =>
        {
            if (endpoint.Rollout is { Status: RolloutStatus.InProgress } || !endpoint.Routes.Any(r => r.Role == RouteRole.Standby))
                return null;
            return new EndpointChange(endpoint with { Routes = [.. endpoint.Routes.Where(r => r.Role != RouteRole.Standby)] },
                EndpointEventType.StandbyReleased, endpoint.Rollout?.RolloutId, "Termination wait over");
        }, ct);
        if (updated is not null)
            await runtime.RefreshAsync(ct);
        return updated;
    }

    /// <summary>Endpoints whose rollout is IN_PROGRESS (what the rollout controller bakes and judges).</summary>
    public async Task<List<ServingEndpoint>> ListInProgressAsync(CancellationToken ct = default) =>
        [.. (await store.ListAsync(ct)).Where(e => e.Rollout?.Status == RolloutStatus.InProgress)];

    /// <summary>Endpoints that keep a STANDBY route (blue-green's old version during the termination wait).</summary>
    public async Task<List<ServingEndpoint>> ListWithStandbyAsync(CancellationToken ct = default) =>
        [.. (await store.ListAsync(ct)).Where(e => e.Routes.Any(r => r.Role == RouteRole.Standby))];

    /// <summary>The routes of a rollout at a step: canary and linear split traffic, blue-green switches it and keeps the
    /// old version STANDBY, shadow mirrors a share to the candidate.</summary>
    public static List<EndpointRoute> StepRoutes(EndpointRollout rollout, int step)
    {
        var percent = rollout.Steps[step];
        var baseline = BaselineRoute(rollout)!;
        var candidate = new EndpointRoute { ModelName = rollout.ModelName, Version = rollout.CandidateVersion };
        return rollout.Strategy switch
        {
            RolloutStrategy.BlueGreen => [candidate with { Weight = 100, Role = RouteRole.Live }, baseline with { Weight = 0, Role = RouteRole.Standby }],
            RolloutStrategy.Shadow => [baseline, candidate with { Weight = percent, Role = RouteRole.Shadow }],
            _ => [baseline with { Weight = 100 - percent }, candidate with { Weight = percent, Role = RouteRole.Candidate }],
        };
    }

    private static EndpointRoute? BaselineRoute(EndpointRollout rollout) =>
        rollout.BaselineModelName is null || rollout.BaselineVersion is null ? null
        : new EndpointRoute { ModelName = rollout.BaselineModelName, Version = rollout.BaselineVersion, Weight = 100, Role = RouteRole.Live };

    /// <summary>The version serving when a rollout begins: the LIVE route with the most traffic.</summary>
    private static EndpointRoute Baseline(ServingEndpoint endpoint) =>
        endpoint.Routes.Where(r => r.Role == RouteRole.Live).OrderByDescending(r => r.Weight).FirstOrDefault()
        ?? throw EndpointValidation.Conflict($"Endpoint '{endpoint.Name}' has no LIVE route to roll out from.");

    private static EndpointRollout InProgress(ServingEndpoint endpoint, string? rolloutId, string action)
    {
        if (endpoint.Rollout is not { Status: RolloutStatus.InProgress } rollout)
            throw EndpointValidation.Conflict($"Endpoint '{endpoint.Name}' has no rollout in progress to {action}.");
        if (rolloutId is not null && rollout.RolloutId != rolloutId)
            throw EndpointValidation.Conflict($"Rollout {Validation.Shorten(rolloutId)} of endpoint '{endpoint.Name}' is no longer in progress.");
        return rollout;
    }

    private static void RefuseDuringRollout(ServingEndpoint endpoint)
    {
        if (endpoint.Rollout?.Status == RolloutStatus.InProgress)
            throw EndpointValidation.Conflict(
                $"Endpoint '{endpoint.Name}' has a rollout in progress ({endpoint.Rollout.RolloutId}); promote or roll it back first.");
    }

    /// <summary>Blue-green's check before the switch: the candidate answers its own input example.</summary>
    private static async Task HealthCheckAsync(EndpointRuntime.LoadedModel candidate, string modelName, string version, CancellationToken ct)
    {
        try
        {
            var example = candidate.Model.Predictor.Package.ReadInputExample(candidate.Directory);
            if (example is not null)
                _ = await candidate.Model.PredictAsync(example, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw FlightdeckException.InvalidParameter(
                $"Version {version} of '{Validation.Shorten(modelName)}' failed its health check, so traffic stays where it is: {e.Message}");
        }
    }
}
