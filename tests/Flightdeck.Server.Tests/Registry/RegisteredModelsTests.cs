using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Registry;

public sealed class RegisteredModelsTests
{
    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Create_get_update_rename_tags_and_delete_round_trip(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);

        var created = (await server.PostOkAsync("registered-models/create", new
        {
            name = "churn",
            description = "first",
            tags = new[] { new { key = "team", value = "risk" } },
        })).GetProperty("registered_model");
        Assert.Equal("churn", created.GetProperty("name").GetString());
        Assert.Equal("first", created.GetProperty("description").GetString());
        Assert.Equal(["team"], created.GetProperty("tags").Strings("key"));
        var createdAt = created.GetProperty("creation_timestamp").GetInt64();

        await Task.Delay(5, TestContext.Current.CancellationToken);
        var updated = (await server.SendOkAsync(HttpMethod.Patch, "registered-models/update", new { name = "churn", description = "second" }))
            .GetProperty("registered_model");
        Assert.Equal("second", updated.GetProperty("description").GetString());
        Assert.True(updated.GetProperty("last_updated_timestamp").GetInt64() > createdAt);

        await server.PostOkAsync("registered-models/set-tag", new { name = "churn", key = "stage", value = "pilot" });
        await server.SendOkAsync(HttpMethod.Delete, "registered-models/delete-tag", new { name = "churn", key = "team" });
        await server.CreateVersionAsync("churn");
        var renamed = (await server.PostOkAsync("registered-models/rename", new { name = "churn", new_name = "churn-v2" }))
            .GetProperty("registered_model");
        Assert.Equal("churn-v2", renamed.GetProperty("name").GetString());
        Assert.Equal(["stage"], renamed.GetProperty("tags").Strings("key"));
        Assert.Equal("churn-v2", renamed.GetProperty("latest_versions")[0].GetProperty("name").GetString());

        var fetched = (await server.GetOkAsync("registered-models/get?name=churn-v2")).GetProperty("registered_model");
        Assert.Equal("second", fetched.GetProperty("description").GetString());
        using (var old = await server.GetAsync("registered-models/get?name=churn"))
        {
            await TestServer.ReadErrorAsync(old, 404, ErrorCode.ResourceDoesNotExist);
        }

        await server.SendOkAsync(HttpMethod.Delete, "registered-models/delete", new { name = "churn-v2" });
        using var gone = await server.GetAsync("registered-models/get?name=churn-v2");
        await TestServer.ReadErrorAsync(gone, 404, ErrorCode.ResourceDoesNotExist);
        using var versionGone = await server.GetAsync("model-versions/get?name=churn-v2&version=1");
        await TestServer.ReadErrorAsync(versionGone, 404, ErrorCode.ResourceDoesNotExist);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Duplicates_missing_models_and_bad_input_answer_MLflow_errors(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await server.CreateModelAsync("a");
        await server.CreateModelAsync("b");

        using (var duplicate = await server.PostAsync("registered-models/create", new { name = "a" }))
        {
            Assert.Contains("already exists", await TestServer.ReadErrorAsync(duplicate, 400, ErrorCode.ResourceAlreadyExists), StringComparison.Ordinal);
        }

        using (var clash = await server.PostAsync("registered-models/rename", new { name = "a", new_name = "b" }))
        {
            await TestServer.ReadErrorAsync(clash, 400, ErrorCode.ResourceAlreadyExists);
        }

        using (var missing = await server.SendAsync(HttpMethod.Patch, "registered-models/update", new { name = "nope", description = "x" }))
        {
            await TestServer.ReadErrorAsync(missing, 404, ErrorCode.ResourceDoesNotExist);
        }

        using (var missingDelete = await server.SendAsync(HttpMethod.Delete, "registered-models/delete", new { name = "nope" }))
        {
            await TestServer.ReadErrorAsync(missingDelete, 404, ErrorCode.ResourceDoesNotExist);
        }

        using (var noName = await server.PostAsync("registered-models/create", new { description = "x" }))
        {
            Assert.Contains("'name'", await TestServer.ReadErrorAsync(noName, 400, ErrorCode.InvalidParameterValue), StringComparison.Ordinal);
        }

        using (var badTag = await server.PostAsync("registered-models/set-tag", new { name = "a", key = "../x", value = "v" }))
        {
            await TestServer.ReadErrorAsync(badTag, 400, ErrorCode.InvalidParameterValue);
        }

        using var badJson = await server.PostRawAsync("registered-models/create", "{\"name\": 5}");
        await TestServer.ReadErrorAsync(badJson, 400, ErrorCode.InvalidParameterValue);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Search_filters_orders_and_pages(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        foreach (var name in new[] { "beta", "Alpha", "alpha-2", "gamma" })
        {
            await server.CreateModelAsync(name);
            await Task.Delay(3, TestContext.Current.CancellationToken);
        }

        await server.PostOkAsync("registered-models/set-tag", new { name = "gamma", key = "team", value = "risk" });

        async Task<List<string?>> Names(string query) =>
            (await server.GetOkAsync("registered-models/search?" + query)).TryGetProperty("registered_models", out var models)
                ? models.Strings("name")
                : [];

        Assert.Equal(["Alpha", "alpha-2", "beta", "gamma"], await Names(""));
        Assert.Equal(["alpha-2"], await Names("filter=" + Uri.EscapeDataString("name LIKE 'alpha%'")));
        Assert.Equal(["Alpha", "alpha-2"], await Names("filter=" + Uri.EscapeDataString("name ILIKE 'alpha%'")));
        Assert.Equal(["beta"], await Names("filter=" + Uri.EscapeDataString("name = 'beta'")));
        Assert.Equal(["gamma"], await Names("filter=" + Uri.EscapeDataString("tags.team = 'risk'")));
        Assert.Equal(["gamma", "beta", "alpha-2", "Alpha"], await Names("order_by=" + Uri.EscapeDataString("name DESC")));
        Assert.Equal(["gamma", "alpha-2", "Alpha", "beta"], await Names("order_by=" + Uri.EscapeDataString("timestamp DESC")));
        Assert.Equal(["beta", "Alpha", "alpha-2", "gamma"], await Names("order_by=" + Uri.EscapeDataString("creation_timestamp ASC")));
        Assert.Equal(["gamma", "alpha-2", "Alpha", "beta"], await Names("order_by=" + Uri.EscapeDataString("last_updated_timestamp DESC")));

        var seen = new List<string?>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await server.GetOkAsync("registered-models/search?max_results=3" + (token is null ? "" : "&page_token=" + Uri.EscapeDataString(token)));
            seen.AddRange(page.GetProperty("registered_models").Strings("name"));
            token = page.TryGetProperty("next_page_token", out var next) ? next.GetString() : null;
            pages++;
        }
        while (token is not null);
        Assert.Equal(2, pages);
        Assert.Equal(["Alpha", "alpha-2", "beta", "gamma"], seen);

        foreach (var bad in new[] { "max_results=1001", "max_results=0", "filter=" + Uri.EscapeDataString("owner = 'x'"), "order_by=bogus", "page_token=zzz" })
        {
            using var response = await server.GetAsync("registered-models/search?" + bad);
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }
    }

    [Fact]
    public async Task Registry_routes_answer_under_the_ajax_prefix_too()
    {
        await using var server = await TestServer.StartAsync();
        await server.CreateModelAsync("ui");

        using var response = await server.Http.GetAsync("ajax-api/2.0/mlflow/registered-models/get?name=ui");
        var body = await TestServer.ReadOkAsync(response);

        Assert.Equal("ui", body.GetProperty("registered_model").GetProperty("name").GetString());
    }
}
