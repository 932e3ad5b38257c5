using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Models;
using Flightdeck.Server.Endpoints;
using Flightdeck.Serving;
using Flightdeck.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Tests.Endpoints;

public sealed class EndpointInvocationTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Invocations_answer_predictions_in_both_protocols_and_refuse_bad_input(string backend)
    {
        var observer = new RecordingObserver();
        await using var server = await TestServer.StartAsync(backend, services: s => s.AddSingleton<IInferenceObserver>(observer));
        await EndpointModel.RegisterAsync(server, "clf");
        await server.CreateEndpointAsync("ep", "clf");

        using (var response = await server.InvokeAsync("ep", EndpointModel.Body(3)))
        {
            var body = await TestServer.ReadOkAsync(response);
            Assert.Equal(3, body.GetProperty("predictions").GetArrayLength());
            Assert.Equal("1", response.Headers.GetValues(EndpointHeaders.ServedVersion).Single());
        }

        using (var csv = await server.Http.PostAsync(EndpointCalls.Prefix + "/ep/invocations",
            new StringContent("X,Y\n0.1,0.2\n0.9,0.8\n", Encoding.UTF8, "text/csv"), Cancel))
            Assert.Equal(2, (await TestServer.ReadOkAsync(csv)).GetProperty("predictions").GetArrayLength());

        var infer = JsonSerializer.Serialize(new
        {
            id = "r1",
            inputs = new object[]
            {
                new { name = "X", datatype = "FP32", shape = new[] { 2 }, data = new[] { 0.1, 0.9 } },
                new { name = "Y", datatype = "FP32", shape = new[] { 2 }, data = new[] { 0.2, 0.8 } },
            },
        });
        using (var oip = await server.SendAsync(HttpMethod.Post, "/ep/infer", infer))
        {
            var body = await TestServer.ReadOkAsync(oip);
            Assert.Equal("1", body.GetProperty("model_version").GetString());
            Assert.Equal("r1", body.GetProperty("id").GetString());
            Assert.True(body.GetProperty("outputs").GetArrayLength() > 0);
        }

        // Wrong types name the column; malformed JSON, unknown endpoints and huge bodies get their own statuses.
        var wrongType = JsonSerializer.Serialize(new { dataframe_split = new { columns = new[] { "X", "Y" }, data = new[] { new object[] { "abc", 0.2 } } } });
        using (var bad = await server.InvokeAsync("ep", wrongType))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("X", await bad.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        }

        using (var malformed = await server.InvokeAsync("ep", "{\"dataframe_split\": "))
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        using (var unknown = await server.InvokeAsync("nope"))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using (var huge = await server.InvokeAsync("ep", "{\"inputs\": [" + new string(' ', 17 * 1024 * 1024) + "]}"))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);

        // Every inference was observed as the endpoint's LIVE version (input refused before predicting is no inference).
        var records = observer.Records.ToList();
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal(("ep", "clf", "1", "LIVE", 200), (r.Endpoint, r.ModelName, r.Version, r.Role, r.StatusCode)));
        Assert.Equal([2, 2, 3], records.Select(r => r.Input.RowCount).Order());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Weights_split_traffic_a_header_pins_a_version_and_a_routing_key_sticks(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await EndpointModel.RegisterAsync(server, "clf");
        await server.CreateEndpointAsync("ep", "clf");
        await server.OkAsync(HttpMethod.Patch, "/ep", new
        {
            routes = new[]
            {
                new { model_name = "clf", version = "1", weight = 70, role = "LIVE" },
                new { model_name = "clf", version = "2", weight = 30, role = "CANDIDATE" },
            },
        });

        var served = new List<string>();
        for (var i = 0; i < 300; i++)
            served.Add(await server.ServedVersionAsync("ep"));
        var second = served.Count(v => v == "2");
        Assert.InRange(second, 55, 125); // 30% of 300 is 90; this range fails once in many thousand runs

        for (var i = 0; i < 10; i++)
            Assert.Equal("2", await server.ServedVersionAsync("ep", new Dictionary<string, string> { [EndpointHeaders.PinVersion] = "2" }));
        using (var badPin = await server.InvokeAsync("ep", headers: new Dictionary<string, string> { [EndpointHeaders.PinVersion] = "9" }))
        {
            var message = await TestServer.ReadErrorAsync(badPin, 400, ErrorCode.BadRequest);
            Assert.Contains("no route to version '9'", message, StringComparison.Ordinal);
        }

        var byKey = new Dictionary<string, HashSet<string>>();
        for (var round = 0; round < 3; round++)
        {
            for (var user = 0; user < 40; user++)
            {
                var key = $"user-{user}";
                var version = await server.ServedVersionAsync("ep", new Dictionary<string, string> { [EndpointHeaders.RoutingKey] = key });
                (byKey.TryGetValue(key, out var set) ? set : byKey[key] = []).Add(version);
            }
        }

        Assert.All(byKey.Values, versions => Assert.Single(versions));
        Assert.Equal(["1", "2"], byKey.Values.Select(v => v.Single()).Distinct().Order());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_shadow_gets_a_copy_of_the_traffic_observed_as_SHADOW_without_changing_the_answers(string backend)
    {
        var observer = new RecordingObserver();
        await using var server = await TestServer.StartAsync(backend, services: s => s.AddSingleton<IInferenceObserver>(observer));
        await EndpointModel.RegisterAsync(server, "clf");
        await server.CreateEndpointAsync("ep", "clf");
        using var before = await server.InvokeAsync("ep");
        var expected = (await TestServer.ReadOkAsync(before)).GetProperty("predictions").GetRawText();
        await server.OkAsync(HttpMethod.Patch, "/ep", new
        {
            routes = new[]
            {
                new { model_name = "clf", version = "1", weight = 100, role = "LIVE" },
                new { model_name = "clf", version = "2", weight = 100, role = "SHADOW" },
            },
        });

        for (var i = 0; i < 10; i++)
        {
            using var response = await server.InvokeAsync("ep");
            Assert.Equal(expected, (await TestServer.ReadOkAsync(response)).GetProperty("predictions").GetRawText());
            Assert.Equal("1", response.Headers.GetValues(EndpointHeaders.ServedVersion).Single());
        }

        var deadline = Stopwatch.StartNew();
        while (observer.Records.Count(r => r.Role == RouteRole.Shadow) < 10 && deadline.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(50, Cancel);
        var shadows = observer.Records.Where(r => r.Role == RouteRole.Shadow).ToList();
        Assert.Equal(10, shadows.Count);
        Assert.All(shadows, r => Assert.Equal(("ep", "2", 200), (r.Endpoint, r.Version, r.StatusCode)));
        var live = observer.Records.Where(r => r.Role == RouteRole.Live).ToList();
        Assert.Equal(11, live.Count);
        Assert.Subset(live.Select(r => r.RequestId).ToHashSet(), shadows.Select(r => r.RequestId).ToHashSet());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_request_past_the_endpoints_timeout_is_cancelled_and_answered_504(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await EndpointModel.RegisterAsync(server, "clf", versions: 1);
        // Every prediction of this endpoint's model takes 3 s, far longer than the time limit.
        server.Services.GetRequiredService<EndpointRuntime>().PredictorWrapperForTests = (_, _, predictor) => new SlowPredictor(predictor);
        await server.CreateEndpointAsync("slow", "clf", settings: new { request_timeout_ms = 200 });

        var clock = Stopwatch.StartNew();
        using var response = await server.InvokeAsync("slow");
        var message = await TestServer.ReadErrorAsync(response, 504, "DEADLINE_EXCEEDED");
        Assert.Contains("200 ms", message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
    }

    private sealed class SlowPredictor(IPredictor inner) : IPredictor
    {
        public string Flavor => inner.Flavor;

        public ModelPackage Package => inner.Package;

        public ModelSignature Signature => inner.Signature;

        public DataBatch Predict(DataBatch input)
        {
            Thread.Sleep(TimeSpan.FromSeconds(3));
            return inner.Predict(input);
        }

        public void Dispose() => inner.Dispose();
    }

    private sealed class RecordingObserver : IInferenceObserver
    {
        private readonly ConcurrentQueue<InferenceRecord> _records = new();

        public IReadOnlyCollection<InferenceRecord> Records => _records;

        public void OnInference(InferenceRecord record) => _records.Enqueue(record);
    }
}
