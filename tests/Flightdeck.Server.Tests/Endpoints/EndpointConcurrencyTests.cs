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
}
