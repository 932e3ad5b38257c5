using System.Net;
using Flightdeck.Server.Tests.Endpoints;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Monitoring;

public sealed class EndpointInferenceLogTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Endpoint_invocations_are_logged_at_the_endpoints_own_sample_rate(string backend)
    {
        // Given a server whose default is to log nothing, an endpoint that logs everything and one that keeps the default
        await using var server = await TestServer.StartAsync(backend, options => options with { InferenceLogSampleRate = 0 });
        await EndpointModel.RegisterAsync(server, "clf");
        await server.CreateEndpointAsync("logged", "clf", settings: new { inference_log_sample_rate = 1.0 });
        await server.CreateEndpointAsync("quiet", "clf");

        // When each is invoked five times
        for (var i = 0; i < 5; i++)
        {
            using var logged = await server.InvokeAsync("logged", EndpointModel.Body(2));
            using var quiet = await server.InvokeAsync("quiet", EndpointModel.Body(2));
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (logged.StatusCode, quiet.StatusCode));
        }

        // Then the log has the five of "logged", with their inputs, outputs and version, and nothing of "quiet"
        var entries = new List<System.Text.Json.JsonElement>();
        for (var i = 0; i < 100 && entries.Count < 5; i++)
        {
            await Task.Delay(100, Cancel);
            using var response = await server.Http.GetAsync("api/flightdeck/v1/inference-log", Cancel);
            entries = [.. (await TestServer.ReadOkAsync(response)).GetProperty("entries").EnumerateArray()];
        }
        Assert.Equal(5, entries.Count);
        Assert.All(entries, e =>
        {
            Assert.Equal(("logged", "clf", "1", "LIVE", 200), (e.GetProperty("endpoint").GetString(), e.GetProperty("model_name").GetString(),
                e.GetProperty("version").GetString(), e.GetProperty("role").GetString(), e.GetProperty("status").GetInt32()));
            Assert.Equal(2, e.GetProperty("inputs").GetArrayLength());
            Assert.Equal(2, e.GetProperty("outputs").GetArrayLength());
        });
    }
}
