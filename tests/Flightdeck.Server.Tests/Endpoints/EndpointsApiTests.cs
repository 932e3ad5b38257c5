using System.Net;
using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;
using Flightdeck.Server.Tests.Registry;

namespace Flightdeck.Server.Tests.Endpoints;

public sealed class EndpointsApiTests
{
    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task An_endpoint_is_created_by_alias_read_listed_changed_and_deleted(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await EndpointModel.RegisterAsync(server, "clf");
        await server.SendOkAsync(HttpMethod.Post, "registered-models/alias", new { name = "clf", alias = "champion", version = "2" });

        var created = (await server.OkAsync(HttpMethod.Post, "", new { name = "scoring", description = "fraud", model_name = "clf", alias = "champion" }))
            .GetProperty("endpoint");
        Assert.Equal(["clf/2:LIVE:100"], created.Routes());
        Assert.Equal(EndpointState.Ready, created.GetProperty("state").GetString());

        var read = (await server.OkAsync(HttpMethod.Get, "/scoring")).GetProperty("endpoint");
        Assert.Equal("fraud", read.GetProperty("description").GetString());
        await server.CreateEndpointAsync("other", "clf");
        var list = (await server.OkAsync(HttpMethod.Get, "")).GetProperty("endpoints");
        Assert.Equal(["other", "scoring"], list.EnumerateArray().Select(e => e.GetProperty("name").GetString()));

        var patched = (await server.OkAsync(HttpMethod.Patch, "/scoring", new
        {
            description = "fraud v2",
            settings = new { max_batch_size = 8, request_timeout_ms = 5000 },
            routes = new[]
            {
                new { model_name = "clf", version = "1", weight = 30, role = "LIVE" },
                new { model_name = "clf", version = "2", weight = 70, role = "CANDIDATE" },
            },
        })).GetProperty("endpoint");
        Assert.Equal(["clf/1:LIVE:30", "clf/2:CANDIDATE:70"], patched.Routes());
        Assert.Equal(8, patched.GetProperty("settings").GetProperty("max_batch_size").GetInt32());
        Assert.Equal("fraud v2", patched.GetProperty("description").GetString());

        await server.OkAsync(HttpMethod.Delete, "/scoring");
        using var gone = await server.SendAsync(HttpMethod.Get, "/scoring");
        await TestServer.ReadErrorAsync(gone, 404, ErrorCode.ResourceDoesNotExist);
        using var invokeGone = await server.InvokeAsync("scoring");
        Assert.Equal(HttpStatusCode.NotFound, invokeGone.StatusCode);

        // The history outlives the endpoint, newest first, and pages.
        var history = await server.OkAsync(HttpMethod.Get, "/scoring/history");
        Assert.Equal(
            [EndpointEventType.Deleted, EndpointEventType.TrafficChanged, EndpointEventType.Created],
            history.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        var first = await server.OkAsync(HttpMethod.Get, "/scoring/history?max_results=2");
        Assert.Equal(2, first.GetProperty("events").GetArrayLength());
        var token = first.GetProperty("next_page_token").GetString();
        var second = await server.OkAsync(HttpMethod.Get, $"/scoring/history?max_results=2&page_token={token}");
        Assert.Equal([EndpointEventType.Created], second.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Bad_input_is_a_400_unknown_things_a_404_and_duplicates_are_refused(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await EndpointModel.RegisterAsync(server, "clf");
        await server.CreateEndpointAsync("ep", "clf");

        var badCreates = new object[]
        {
            new { name = "-bad", model_name = "clf", version = "1" },
            new { name = "has space", model_name = "clf", version = "1" },
            new { name = new string('a', 65), model_name = "clf", version = "1" },
            new { name = "x", model_name = "clf" },
            new { name = "x", model_name = "clf", version = "one" },
            new { name = "x", model_name = "clf", version = "1", alias = "a" },
            new { name = "x", version = "1" },
            new { name = "x", model_name = "clf", version = "1", settings = new { max_batch_size = 0 } },
            new { name = "x", model_name = "clf", version = "1", settings = new { inference_log_sample_rate = 2 } },
            "{\"name\": ",
            "[1]",
        };
        foreach (var body in badCreates)
        {
            using var response = await server.SendAsync(HttpMethod.Post, "", body);
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }

        using (var duplicate = await server.SendAsync(HttpMethod.Post, "", new { name = "ep", model_name = "clf", version = "1" }))
            await TestServer.ReadErrorAsync(duplicate, 400, ErrorCode.ResourceAlreadyExists);
        foreach (var body in new object[]
        {
            new { name = "x", model_name = "nope", version = "1" },
            new { name = "x", model_name = "clf", version = "9" },
            new { name = "x", model_name = "clf", alias = "missing" },
        })
        {
            using var response = await server.SendAsync(HttpMethod.Post, "", body);
            await TestServer.ReadErrorAsync(response, 404, ErrorCode.ResourceDoesNotExist);
        }

        var badRoutes = new object[]
        {
            new[] { new { model_name = "clf", version = "1", weight = 60, role = "LIVE" } },
            new[] { new { model_name = "clf", version = "1", weight = 101, role = "LIVE" } },
            new[] { new { model_name = "clf", version = "1", weight = 100, role = "BOSS" } },
            new[] { new { model_name = "clf", version = "2", weight = 100, role = "CANDIDATE" } },
            new[] { new { model_name = "clf", version = "1", weight = 50, role = "LIVE" }, new { model_name = "clf", version = "1", weight = 50, role = "LIVE" } },
        };
        foreach (var routes in badRoutes)
        {
            using var response = await server.SendAsync(HttpMethod.Patch, "/ep", new { routes });
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }

        using (var missingVersion = await server.SendAsync(HttpMethod.Patch, "/ep",
            new { routes = new[] { new { model_name = "clf", version = "7", weight = 100, role = "LIVE" } } }))
            await TestServer.ReadErrorAsync(missingVersion, 404, ErrorCode.ResourceDoesNotExist);
        foreach (var path in new[] { "/nope", "/nope/history" })
        {
            using var response = await server.SendAsync(HttpMethod.Get, path);
            await TestServer.ReadErrorAsync(response, 404, ErrorCode.ResourceDoesNotExist);
        }

        using (var patchMissing = await server.SendAsync(HttpMethod.Patch, "/nope", new { description = "x" }))
            await TestServer.ReadErrorAsync(patchMissing, 404, ErrorCode.ResourceDoesNotExist);
        using (var deleteMissing = await server.SendAsync(HttpMethod.Delete, "/nope"))
            await TestServer.ReadErrorAsync(deleteMissing, 404, ErrorCode.ResourceDoesNotExist);
        using (var badToken = await server.SendAsync(HttpMethod.Get, "/ep/history?page_token=abc"))
            await TestServer.ReadErrorAsync(badToken, 400, ErrorCode.InvalidParameterValue);

        var badDeploys = new object[]
        {
            new { version = "2", strategy = "YOLO" },
            new { version = "2", steps = new[] { 50, 20, 100 } },
            new { version = "2", steps = new[] { 0, 100 } },
            new { version = "2", steps = new[] { 10, 50 } },
            new { version = "2", strategy = "BLUE_GREEN", steps = new[] { 50, 100 } },
            new { version = "2", bake_seconds = -1 },
            new { version = "2", guardrails = new { max_error_rate = 1.5 } },
            new { version = "1" },
        };
        foreach (var body in badDeploys)
        {
            using var response = await server.SendAsync(HttpMethod.Post, "/ep/deploy", body);
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }

        using (var noRollout = await server.SendAsync(HttpMethod.Post, "/ep/promote", new { }))
            await TestServer.ReadErrorAsync(noRollout, 409, ErrorCode.ResourceConflict);
        using (var noRollback = await server.SendAsync(HttpMethod.Post, "/ep/rollback", new { }))
            await TestServer.ReadErrorAsync(noRollback, 409, ErrorCode.ResourceConflict);

        // Nothing above changed the endpoint.
        var endpoint = (await server.OkAsync(HttpMethod.Get, "/ep")).GetProperty("endpoint");
        Assert.Equal(["clf/1:LIVE:100"], endpoint.Routes());
        Assert.Equal(1, (await server.OkAsync(HttpMethod.Get, "/ep/history")).GetProperty("events").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Each_version_an_endpoint_served_is_an_edge_to_it_in_the_lineage_graph(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await EndpointModel.RegisterAsync(server, "clf");
        await server.CreateEndpointAsync("ep", "clf");
        await server.DeployAsync("ep", new { version = "2", strategy = "CANARY", steps = new[] { 20, 100 } });
        await server.OkAsync(HttpMethod.Post, "/ep/promote", new { reason = "looks good" });

        using var response = await server.Http.GetAsync("api/flightdeck/v1/lineage?node=endpoint:ep&direction=upstream&depth=1",
            TestContext.Current.CancellationToken);
        var graph = await TestServer.ReadOkAsync(response);
        var edges = graph.GetProperty("edges").EnumerateArray()
            .Select(e => $"{e.GetProperty("source").GetString()} -> {e.GetProperty("target").GetString()}").Order().ToList();
        Assert.Equal(["model:clf/1 -> endpoint:ep", "model:clf/2 -> endpoint:ep"], edges);

        using var fromModel = await server.Http.GetAsync("api/flightdeck/v1/lineage?node=model:clf/1&direction=downstream",
            TestContext.Current.CancellationToken);
        var downstream = await TestServer.ReadOkAsync(fromModel);
        Assert.Contains(downstream.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("id").GetString() == "endpoint:ep"
            && n.GetProperty("kind").GetString() == "endpoint");
    }
}
