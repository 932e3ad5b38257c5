using Flightdeck.Contracts;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Tests.Infrastructure;
using static Flightdeck.Server.Tests.Endpoints.Rollouts.RolloutKit;

namespace Flightdeck.Server.Tests.Endpoints.Rollouts;

/// <summary>The progressive delivery controller on a real server: traffic through the endpoint, guardrails judged by
/// the controller, transitions visible in the endpoint and its history.</summary>
public class RolloutControllerTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static async Task<(ServingEndpoint Endpoint, Traffic Traffic)> RollOutUnderTrafficAsync(TestServer server, string name,
        DeployRequest deploy, int rows = 5, bool poisonEvery20th = false)
    {
        using var stop = new CancellationTokenSource();
        await DeployAsync(server, name, deploy);
        var driving = DriveAsync(server, name, stop.Token, Limit, rows: rows, poisonEvery20th: poisonEvery20th);
        var finished = await WaitFinishedAsync(server, name, Limit);
        await stop.CancelAsync();
        return (finished, await driving);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_canary_failing_5_percent_of_its_requests_is_rolled_back_within_one_bake_and_no_live_request_fails(string backend)
    {
        // Given version 2 fails every request carrying the poison marker, and every 20th request carries it
        await using var server = await StartAsync(backend, poisoned: new HashSet<string> { "2" });
        await RegisterAsync(server, "churn", RolloutModels.Baseline, RolloutModels.Baseline);
        await CreateEndpointAsync(server, "churn-api", "churn");

        // When a 10% canary of version 2 bakes for 30 s under traffic
        var (endpoint, traffic) = await RollOutUnderTrafficAsync(server, "churn-api",
            new DeployRequest { Version = "2", Strategy = RolloutStrategy.Canary, Steps = [10, 100], BakeSeconds = 30 }, poisonEvery20th: true);

        // Then it is rolled back before the bake ends, saying why, and only the canary's requests failed
        var rollout = endpoint.Rollout!;
        Assert.Equal(RolloutStatus.RolledBack, rollout.Status);
        Assert.StartsWith("Guardrail breached: error rate ", rollout.Reason);
        Assert.EndsWith("exceeds 0.01", rollout.Reason);
        Assert.True(rollout.FinishedTimestamp - rollout.StartedTimestamp < 30_000, $"took {rollout.FinishedTimestamp - rollout.StartedTimestamp} ms");
        Assert.Equal(0, rollout.CurrentStep);
        Assert.True(rollout.LastReading!.Errors > 0 && rollout.LastReading.Requests >= 20);
        Assert.Equal(["churn/1:LIVE:100"], endpoint.Routes.Select(r => $"{r.ModelName}/{r.Version}:{r.Role}:{r.Weight}"));

        Assert.NotEmpty(traffic.Failed);
        Assert.All(traffic.Failed, a => Assert.True(a.Version == "2" && a.Status == 500, $"{a.Status} from version '{a.Version}': {a.Error}"));
        Assert.True(traffic.ServedBy("1") > traffic.ServedBy("2"));

        var history = await HistoryAsync(server, "churn-api");
        var rolledBack = Assert.Single(history, e => e.Type == EndpointEventType.RolledBack);
        Assert.Equal(rollout.Reason, rolledBack.Reason);
        Assert.Equal(rollout.RolloutId, rolledBack.RolloutId);
        Assert.NotNull(rolledBack.Reading);
        Assert.Contains(history, e => e.Type == EndpointEventType.RolloutStarted);
        Assert.DoesNotContain(history, e => e.Type is EndpointEventType.StepAdvanced or EndpointEventType.Promoted);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_healthy_canary_advances_through_its_steps_and_promotes(string backend)
    {
        await using var server = await StartAsync(backend);
        await RegisterAsync(server, "churn", RolloutModels.Baseline, RolloutModels.Baseline);
        await CreateEndpointAsync(server, "churn-api", "churn");

        var (endpoint, traffic) = await RollOutUnderTrafficAsync(server, "churn-api",
            new DeployRequest { Version = "2", Strategy = RolloutStrategy.Linear, Steps = [20, 50, 100], BakeSeconds = 1 });

        var rollout = endpoint.Rollout!;
        Assert.Equal(RolloutStatus.Succeeded, rollout.Status);
        Assert.StartsWith("Promoted automatically: step 3 of 3 (100%) baked 1 s within the guardrails (error rate 0 over ", rollout.Reason);
        Assert.Equal(2, rollout.CurrentStep);
        Assert.Equal(["churn/2:LIVE:100"], endpoint.Routes.Select(r => $"{r.ModelName}/{r.Version}:{r.Role}:{r.Weight}"));
        Assert.Empty(traffic.Failed);

        var history = await HistoryAsync(server, "churn-api");
        Assert.Equal(2, history.Count(e => e.Type == EndpointEventType.StepAdvanced));
        Assert.All(history.Where(e => e.Type is EndpointEventType.StepAdvanced or EndpointEventType.Promoted),
            e => Assert.True(e.Reading!.Requests >= 20));
        Assert.Contains(history, e => e.Type == EndpointEventType.Promoted && e.Reason == rollout.Reason);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_blue_green_breach_rolls_back_to_the_standby_at_once_and_no_request_is_refused(string backend)
    {
        await using var server = await StartAsync(backend, poisoned: new HashSet<string> { "2" });
        await RegisterAsync(server, "churn", RolloutModels.Baseline, RolloutModels.Baseline);
        await CreateEndpointAsync(server, "churn-api", "churn");

        var (endpoint, traffic) = await RollOutUnderTrafficAsync(server, "churn-api",
            new DeployRequest { Version = "2", Strategy = RolloutStrategy.BlueGreen, BakeSeconds = 30, TerminationWaitSeconds = 30 },
            poisonEvery20th: true);

        var rollout = endpoint.Rollout!;
        Assert.Equal(RolloutStatus.RolledBack, rollout.Status);
        Assert.StartsWith("Guardrail breached: error rate ", rollout.Reason);
        Assert.True(rollout.FinishedTimestamp - rollout.StartedTimestamp < 30_000);
        Assert.Equal(["churn/1:LIVE:100"], endpoint.Routes.Select(r => $"{r.ModelName}/{r.Version}:{r.Role}:{r.Weight}"));
        // The only failures are the poisoned requests version 2 answered; nothing was refused for want of a loaded model.
        Assert.All(traffic.Failed, a => Assert.True(a.Version == "2" && a.Status == 500, $"{a.Status} from version '{a.Version}': {a.Error}"));

        // After the switch back, version 1 answers everything, poisoned or not.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var after = await DriveAsync(server, "churn-api", stop.Token, TimeSpan.FromSeconds(2), poisonEvery20th: true);
        Assert.Empty(after.Failed);
        Assert.Equal(after.Answers.Count, after.ServedBy("1"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_blue_green_that_bakes_cleanly_promotes_and_releases_its_standby_after_the_termination_wait(string backend)
    {
        await using var server = await StartAsync(backend);
        await RegisterAsync(server, "churn", RolloutModels.Baseline, RolloutModels.Baseline);
        await CreateEndpointAsync(server, "churn-api", "churn");

        var (endpoint, traffic) = await RollOutUnderTrafficAsync(server, "churn-api",
            new DeployRequest { Version = "2", Strategy = RolloutStrategy.BlueGreen, BakeSeconds = 1, TerminationWaitSeconds = 2 });

        Assert.Equal(RolloutStatus.Succeeded, endpoint.Rollout!.Status);
        Assert.Empty(traffic.Failed);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (endpoint.Routes.Any(r => r.Role == RouteRole.Standby) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            endpoint = await GetAsync(server, "churn-api");
        }

        Assert.Equal(["churn/2:LIVE:100"], endpoint.Routes.Select(r => $"{r.ModelName}/{r.Version}:{r.Role}:{r.Weight}"));
        var history = await HistoryAsync(server, "churn-api");
        var promoted = history.Single(e => e.Type == EndpointEventType.Promoted);
        var released = history.Single(e => e.Type == EndpointEventType.StandbyReleased);
        Assert.True(released.Timestamp - promoted.Timestamp >= 2_000);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_candidate_predicting_very_differently_is_rolled_back_on_its_prediction_psi(string backend)
    {
        await using var server = await StartAsync(backend);
        await RegisterAsync(server, "churn", RolloutModels.Baseline, RolloutModels.Different);
        await CreateEndpointAsync(server, "churn-api", "churn");

        var (endpoint, traffic) = await RollOutUnderTrafficAsync(server, "churn-api",
            new DeployRequest { Version = "2", Strategy = RolloutStrategy.Canary, Steps = [50, 100], BakeSeconds = 60 }, rows: 40);

        var rollout = endpoint.Rollout!;
        Assert.Equal(RolloutStatus.RolledBack, rollout.Status);
        Assert.StartsWith("Guardrail breached: prediction PSI ", rollout.Reason);
        Assert.EndsWith("exceeds 0.2", rollout.Reason);
        Assert.True(rollout.LastReading!.PredictionPsi > 0.2);
        Assert.Equal(0, rollout.LastReading.Errors);
        Assert.Empty(traffic.Failed);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_shadow_that_bakes_cleanly_holds_for_a_manual_promote_and_reports_its_readings(string backend)
    {
        await using var server = await StartAsync(backend);
        await RegisterAsync(server, "churn", RolloutModels.Baseline, RolloutModels.Baseline);
        await CreateEndpointAsync(server, "churn-api", "churn");
        await DeployAsync(server, "churn-api", new DeployRequest { Version = "2", Strategy = RolloutStrategy.Shadow, Steps = [100], BakeSeconds = 1 });

        using var stop = new CancellationTokenSource();
        var driving = DriveAsync(server, "churn-api", stop.Token, TimeSpan.FromSeconds(4));
        await Task.Delay(TimeSpan.FromSeconds(3.5), TestContext.Current.CancellationToken);
        var holding = await GetAsync(server, "churn-api");
        var traffic = await driving;

        Assert.Equal(RolloutStatus.InProgress, holding.Rollout!.Status);
        Assert.True(holding.Rollout.LastReading!.Requests >= 20, $"{holding.Rollout.LastReading.Requests} shadow requests");
        Assert.Empty(traffic.Failed);
        Assert.Equal(traffic.Answers.Count, traffic.ServedBy("1"));

        var promoted = await ActAsync(server, "churn-api", "promote", "shadow looked right");
        Assert.Equal(RolloutStatus.Succeeded, promoted.Rollout!.Status);
        Assert.Equal(["churn/2:LIVE:100"], promoted.Routes.Select(r => $"{r.ModelName}/{r.Version}:{r.Role}:{r.Weight}"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Promote_and_rollback_under_load_lose_no_request(string backend)
    {
        await using var server = await StartAsync(backend);
        await RegisterAsync(server, "churn", RolloutModels.Baseline, RolloutModels.Baseline);
        await CreateEndpointAsync(server, "churn-api", "churn");
        using var stop = new CancellationTokenSource();
        var driving = DriveAsync(server, "churn-api", stop.Token, Limit, clients: 8);
        var pause = TimeSpan.FromMilliseconds(600);

        // Canary of 2, promoted by hand; canary of 1 back again, rolled back by hand; blue-green of 1, rolled back from
        // its standby after the promote; and a linear rollout of 1, rolled back mid-step.
        await DeployAsync(server, "churn-api", new DeployRequest { Version = "2", Steps = [30, 100], BakeSeconds = 600 });
        await Task.Delay(pause, TestContext.Current.CancellationToken);
        await ActAsync(server, "churn-api", "promote", "by hand");
        await Task.Delay(pause, TestContext.Current.CancellationToken);
        await DeployAsync(server, "churn-api", new DeployRequest { Version = "1", Steps = [50, 100], BakeSeconds = 600 });
        await Task.Delay(pause, TestContext.Current.CancellationToken);
        await ActAsync(server, "churn-api", "rollback", "by hand");
        await Task.Delay(pause, TestContext.Current.CancellationToken);
        await DeployAsync(server, "churn-api", new DeployRequest { Version = "1", Strategy = RolloutStrategy.BlueGreen, BakeSeconds = 600 });
        await Task.Delay(pause, TestContext.Current.CancellationToken);
        await ActAsync(server, "churn-api", "promote", "by hand");
        await Task.Delay(pause, TestContext.Current.CancellationToken);
        var back = await ActAsync(server, "churn-api", "rollback", "standby back");
        await Task.Delay(pause, TestContext.Current.CancellationToken);
        await DeployAsync(server, "churn-api", new DeployRequest { Version = "1", Strategy = RolloutStrategy.Linear, Steps = [25, 50, 100], BakeSeconds = 600 });
        await Task.Delay(pause, TestContext.Current.CancellationToken);
        await ActAsync(server, "churn-api", "rollback", "by hand");
        await Task.Delay(pause, TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        var traffic = await driving;

        Assert.Equal(["churn/2:LIVE:100"], back.Routes.Select(r => $"{r.ModelName}/{r.Version}:{r.Role}:{r.Weight}"));
        Assert.True(traffic.Answers.Count > 100, $"only {traffic.Answers.Count} requests");
        Assert.Empty(traffic.Failed);
        Assert.True(traffic.ServedBy("1") > 0 && traffic.ServedBy("2") > 0);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_rollout_in_progress_survives_a_server_restart_and_finishes_on_the_new_server(string backend)
    {
        var folder = Directory.CreateTempSubdirectory("flightdeck-rollout-restart-").FullName;
        var store = await StoreBackend.CreateAsync(backend, folder);
        ServerOptions Shared(ServerOptions options) =>
            options with { BackendStoreUri = store, ArtifactsDestination = Path.Combine(folder, "artifacts") };
        try
        {
            string rolloutId;
            await using (var first = await StartAsync(backend, configure: Shared))
            {
                await RegisterAsync(first, "churn", RolloutModels.Baseline, RolloutModels.Baseline);
                await CreateEndpointAsync(first, "churn-api", "churn");
                rolloutId = (await DeployAsync(first, "churn-api",
                    new DeployRequest { Version = "2", Strategy = RolloutStrategy.Canary, Steps = [10, 100], BakeSeconds = 2 })).Rollout!.RolloutId;
            }

            await using var second = await StartAsync(backend, configure: Shared);
            var before = await GetAsync(second, "churn-api");
            Assert.Equal(RolloutStatus.InProgress, before.Rollout!.Status);
            Assert.Equal(0, before.Rollout.CurrentStep);

            using var stop = new CancellationTokenSource();
            var driving = DriveAsync(second, "churn-api", stop.Token, Limit);
            var finished = await WaitFinishedAsync(second, "churn-api", Limit);
            await stop.CancelAsync();
            var traffic = await driving;

            Assert.Equal(rolloutId, finished.Rollout!.RolloutId);
            Assert.Equal(RolloutStatus.Succeeded, finished.Rollout.Status);
            Assert.Empty(traffic.Failed);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
