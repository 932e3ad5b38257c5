using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Endpoints;
using Flightdeck.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Tests.Endpoints;

public sealed class EndpointRolloutTests
{
    private static readonly Dictionary<string, string> PinV1 = new() { [EndpointHeaders.PinVersion] = "1" };

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_canary_steps_through_its_traffic_and_is_promoted(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await EndpointModel.RegisterAsync(server, "clf");
        await server.CreateEndpointAsync("ep", "clf");

        var started = await server.DeployAsync("ep", new { version = "2", strategy = "CANARY", steps = new[] { 25, 100 }, bake_seconds = 30 });
        Assert.Equal(["clf/1:LIVE:75", "clf/2:CANDIDATE:25"], started.Routes());
        Assert.Equal(EndpointState.Updating, started.GetProperty("state").GetString());
        var rollout = started.GetProperty("rollout");
        Assert.Equal((RolloutStatus.InProgress, 0, "1", 30), (rollout.GetProperty("status").GetString(), rollout.GetProperty("current_step").GetInt32(),
            rollout.GetProperty("baseline_version").GetString(), rollout.GetProperty("bake_seconds").GetInt32()));
        var rolloutId = rollout.GetProperty("rollout_id").GetString()!;

        // While it runs, traffic cannot be set by hand and no second rollout starts.
        using (var patch = await server.SendAsync(HttpMethod.Patch, "/ep",
            new { routes = new[] { new { model_name = "clf", version = "1", weight = 100, role = "LIVE" } } }))
            await TestServer.ReadErrorAsync(patch, 409, ErrorCode.ResourceConflict);
        using (var again = await server.SendAsync(HttpMethod.Post, "/ep/deploy", new { version = "2" }))
            await TestServer.ReadErrorAsync(again, 409, ErrorCode.ResourceConflict);

        // The controller's transitions: a step from a stale reading changes nothing.
        var lifecycle = server.Services.GetRequiredService<EndpointLifecycle>();
        var reading = new GuardrailReading { Requests = 40, Errors = 0, Timestamp = 1 };
        var advanced = await lifecycle.AdvanceStepAsync("ep", rolloutId, 0, reading, TestContext.Current.CancellationToken);
        Assert.NotNull(advanced);
        Assert.Equal(1, advanced.Rollout!.CurrentStep);
        Assert.Null(await lifecycle.AdvanceStepAsync("ep", rolloutId, 0, reading, TestContext.Current.CancellationToken));
        Assert.Null(await lifecycle.AdvanceStepAsync("ep", rolloutId, 1, reading, TestContext.Current.CancellationToken));
        Assert.Equal(["clf/1:LIVE:0", "clf/2:CANDIDATE:100"], (await Get(server, "ep")).Routes());
        Assert.Single(await lifecycle.ListInProgressAsync(TestContext.Current.CancellationToken));
        Assert.Equal("2", await server.ServedVersionAsync("ep"));

        var promoted = (await server.OkAsync(HttpMethod.Post, "/ep/promote", new { reason = "canary healthy" })).GetProperty("endpoint");
        Assert.Equal(["clf/2:LIVE:100"], promoted.Routes());
        Assert.Equal(EndpointState.Ready, promoted.GetProperty("state").GetString());
        Assert.Equal((RolloutStatus.Succeeded, "canary healthy"),
            (promoted.GetProperty("rollout").GetProperty("status").GetString(), promoted.GetProperty("rollout").GetProperty("reason").GetString()));
        Assert.Equal("2", await server.ServedVersionAsync("ep"));
        Assert.Empty(await lifecycle.ListInProgressAsync(TestContext.Current.CancellationToken));

        var events = (await server.OkAsync(HttpMethod.Get, "/ep/history")).GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(
            [EndpointEventType.Promoted, EndpointEventType.StepAdvanced, EndpointEventType.RolloutStarted, EndpointEventType.Created],
            events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(40, events[1].GetProperty("reading").GetProperty("requests").GetInt64());
        Assert.All(events.Take(3), e => Assert.Equal(rolloutId, e.GetProperty("rollout_id").GetString()));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Blue_green_switches_all_traffic_keeps_the_old_version_standby_and_rolls_back_instantly(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await EndpointModel.RegisterAsync(server, "clf");
        await server.CreateEndpointAsync("ep", "clf");

        var switched = await server.DeployAsync("ep", new { version = "2", strategy = "BLUE_GREEN", termination_wait_seconds = 600 });
        Assert.Equal(["clf/2:LIVE:100", "clf/1:STANDBY:0"], switched.Routes());
        Assert.Equal("2", await server.ServedVersionAsync("ep"));
        Assert.Equal("1", await server.ServedVersionAsync("ep", PinV1)); // blue stays loaded

        var promoted = (await server.OkAsync(HttpMethod.Post, "/ep/promote", new { })).GetProperty("endpoint");
        Assert.Equal(["clf/2:LIVE:100", "clf/1:STANDBY:0"], promoted.Routes());
        var lifecycle = server.Services.GetRequiredService<EndpointLifecycle>();
        Assert.Single(await lifecycle.ListWithStandbyAsync(TestContext.Current.CancellationToken));

        // Within the termination wait a rollback returns to blue at once.
        var rolledBack = (await server.OkAsync(HttpMethod.Post, "/ep/rollback", new { reason = "latency" })).GetProperty("endpoint");
        Assert.Equal(["clf/1:LIVE:100"], rolledBack.Routes());
        Assert.Equal((RolloutStatus.RolledBack, "latency"),
            (rolledBack.GetProperty("rollout").GetProperty("status").GetString(), rolledBack.GetProperty("rollout").GetProperty("reason").GetString()));
        Assert.Equal("1", await server.ServedVersionAsync("ep"));

        // Once the wait is over the controller releases blue.
        await server.DeployAsync("ep", new { version = "2", strategy = "BLUE_GREEN" });
        await server.OkAsync(HttpMethod.Post, "/ep/promote", new { });
        var released = await lifecycle.ReleaseStandbyAsync("ep", TestContext.Current.CancellationToken);
        Assert.Equal(["clf/2:LIVE:100"], Routes(released!));
        Assert.Null(await lifecycle.ReleaseStandbyAsync("ep", TestContext.Current.CancellationToken));
        Assert.Equal(EndpointEventType.StandbyReleased,
            (await server.OkAsync(HttpMethod.Get, "/ep/history")).GetProperty("events")[0].GetProperty("type").GetString());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_shadow_rollout_mirrors_traffic_and_a_rollback_records_why(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await EndpointModel.RegisterAsync(server, "clf");
        await server.CreateEndpointAsync("ep", "clf");

        var shadowing = await server.DeployAsync("ep", new { version = "2", strategy = "SHADOW", steps = new[] { 50 } });
        Assert.Equal(["clf/1:LIVE:100", "clf/2:SHADOW:50"], shadowing.Routes());
        for (var i = 0; i < 5; i++)
            Assert.Equal("1", await server.ServedVersionAsync("ep"));

        var rolledBack = (await server.OkAsync(HttpMethod.Post, "/ep/rollback", new { reason = "PSI 0.4 over 0.2" })).GetProperty("endpoint");
        Assert.Equal(["clf/1:LIVE:100"], rolledBack.Routes());
        var last = (await server.OkAsync(HttpMethod.Get, "/ep/history")).GetProperty("events")[0];
        Assert.Equal((EndpointEventType.RolledBack, "PSI 0.4 over 0.2"), (last.GetProperty("type").GetString(), last.GetProperty("reason").GetString()));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_server_restarted_mid_rollout_serves_the_same_routes(string backend)
    {
        var folder = Directory.CreateTempSubdirectory("flightdeck-endpoint-restart-").FullName;
        try
        {
            var storeUri = await StoreBackend.CreateAsync(backend, folder);
            Func<Hosting.ServerOptions, Hosting.ServerOptions> sameStore = o => o with
            {
                BackendStoreUri = storeUri,
                ArtifactsDestination = Path.Combine(folder, "artifacts"),
            };
            await using (var first = await TestServer.StartAsync(backend, sameStore))
            {
                await EndpointModel.RegisterAsync(first, "clf");
                await first.CreateEndpointAsync("ep", "clf");
                await first.DeployAsync("ep", new { version = "2", strategy = "CANARY", steps = new[] { 40, 100 } });
            }

            await using var second = await TestServer.StartAsync(backend, sameStore);
            var endpoint = await Get(second, "ep");
            Assert.Equal(["clf/1:LIVE:60", "clf/2:CANDIDATE:40"], endpoint.Routes());
            Assert.Equal(RolloutStatus.InProgress, endpoint.GetProperty("rollout").GetProperty("status").GetString());
            var served = new List<string>();
            for (var i = 0; i < 60; i++)
                served.Add(await second.ServedVersionAsync("ep"));
            Assert.Equal(["1", "2"], served.Distinct().Order());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<JsonElement> Get(TestServer server, string name) =>
        (await server.OkAsync(HttpMethod.Get, "/" + name)).GetProperty("endpoint");

    private static List<string> Routes(ServingEndpoint endpoint) =>
        [.. endpoint.Routes.Select(r => $"{r.ModelName}/{r.Version}:{r.Role}:{r.Weight}")];
}
