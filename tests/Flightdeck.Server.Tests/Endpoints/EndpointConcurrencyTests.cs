using System.Diagnostics;
using Flightdeck.Contracts;
using Flightdeck.Server.Endpoints;
using Flightdeck.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Tests.Endpoints;

public sealed class EndpointConcurrencyTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Two_servers_on_one_store_converge_and_apply_a_transition_once(string backend)
    {
        var folder = Directory.CreateTempSubdirectory("flightdeck-endpoint-two-").FullName;
        try
        {
            var storeUri = await StoreBackend.CreateAsync(backend, folder);
            Func<Hosting.ServerOptions, Hosting.ServerOptions> sameStore = o => o with
            {
                BackendStoreUri = storeUri,
                ArtifactsDestination = Path.Combine(folder, "artifacts"),
            };
            await using var a = await TestServer.StartAsync(backend, sameStore);
            await using var b = await TestServer.StartAsync(backend, sameStore);
            await EndpointModel.RegisterAsync(a, "clf");
            await a.CreateEndpointAsync("ep", "clf");
            var started = await a.DeployAsync("ep", new { version = "2", strategy = "LINEAR", steps = new[] { 50, 100 } });
            var rolloutId = started.GetProperty("rollout").GetProperty("rollout_id").GetString()!;

            // B learns of the endpoint and its rollout from the database within a few reconciles.
            var pinned = new Dictionary<string, string> { [EndpointHeaders.PinVersion] = "2" };
            var clock = Stopwatch.StartNew();
            string? served = null;
            while (served is null && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                using var response = await b.InvokeAsync("ep", headers: pinned);
                if (response.IsSuccessStatusCode)
                    served = response.Headers.GetValues(EndpointHeaders.ServedVersion).Single();
                else
                    await Task.Delay(200, Cancel);
            }

            Assert.Equal("2", served);

            // Both servers' controllers advance the same step at once: exactly one of them does it.
            var lifecycles = new[] { a, b }.Select(s => s.Services.GetRequiredService<EndpointLifecycle>()).ToList();
            var results = await Task.WhenAll(lifecycles.SelectMany(l => Enumerable.Range(0, 3).Select(_ =>
                l.AdvanceStepAsync("ep", rolloutId, 0, new GuardrailReading { Requests = 25 }, Cancel))));
            Assert.Single(results, r => r is not null);
            var history = (await b.OkAsync(HttpMethod.Get, "/ep/history")).GetProperty("events");
            Assert.Equal(1, history.EnumerateArray().Count(e => e.GetProperty("type").GetString() == EndpointEventType.StepAdvanced));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Rollouts_promotions_and_rollbacks_under_load_lose_no_request(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await EndpointModel.RegisterAsync(server, "clf");
        await server.CreateEndpointAsync("ep", "clf");
        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var served = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var load = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await server.InvokeAsync("ep");
                if (!response.IsSuccessStatusCode)
                    failures.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Cancel)}");
                else
                    served.AddOrUpdate(response.Headers.GetValues(EndpointHeaders.ServedVersion).Single(), 1, (_, n) => n + 1);
            }
        }, Cancel)).ToList();

        var lifecycle = server.Services.GetRequiredService<EndpointLifecycle>();
        var canary = await server.DeployAsync("ep", new { version = "2", strategy = "CANARY", steps = new[] { 50, 100 } });
        await Task.Delay(300, Cancel);
        await lifecycle.AdvanceStepAsync("ep", canary.GetProperty("rollout").GetProperty("rollout_id").GetString()!, 0, null, Cancel);
        await Task.Delay(300, Cancel);
        await server.OkAsync(HttpMethod.Post, "/ep/promote", new { });
        await Task.Delay(300, Cancel);
        await server.DeployAsync("ep", new { version = "1", strategy = "BLUE_GREEN" });
        await Task.Delay(300, Cancel);
        await server.OkAsync(HttpMethod.Post, "/ep/rollback", new { reason = "drill" });
        await Task.Delay(300, Cancel);
        await server.DeployAsync("ep", new { version = "1", strategy = "SHADOW", steps = new[] { 100 } });
        await Task.Delay(300, Cancel);
        await server.OkAsync(HttpMethod.Post, "/ep/rollback", new { });
        await Task.Delay(EndpointRuntime.UnloadGrace + TimeSpan.FromSeconds(3), Cancel); // the dropped version is unloaded meanwhile
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.True(served.GetValueOrDefault("1") > 0 && served.GetValueOrDefault("2") > 0, string.Join(", ", served));
        Assert.Single(server.Services.GetRequiredService<EndpointRuntime>().Models);
    }
}
