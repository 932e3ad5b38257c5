using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Tracking;

public sealed class ExperimentsTests
{
    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Default_experiment_0_exists(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);

        var body = await server.GetOkAsync("experiments/get?experiment_id=0");

        Assert.Equal("Default", body.GetProperty("experiment").GetProperty("name").GetString());
        Assert.Equal("active", body.GetProperty("experiment").GetProperty("lifecycle_stage").GetString());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Create_get_by_name_rename_and_tags_round_trip(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);

        var id = (await server.PostOkAsync("experiments/create", new { name = "churn", tags = new[] { new { key = "team", value = "risk" } } }))
            .GetProperty("experiment_id").GetString()!;
        var byName = (await server.GetOkAsync("experiments/get-by-name?experiment_name=churn")).GetProperty("experiment");
        Assert.Equal(id, byName.GetProperty("experiment_id").GetString());
        Assert.Equal($"mlflow-artifacts:/{id}", byName.GetProperty("artifact_location").GetString());
        Assert.Equal("risk", byName.GetProperty("tags")[0].GetProperty("value").GetString());
        var created = byName.GetProperty("last_update_time").GetInt64();

        await Task.Delay(5, TestContext.Current.CancellationToken);
        await server.PostOkAsync("experiments/update", new { experiment_id = id, new_name = "churn-v2" });
        await server.PostOkAsync("experiments/set-experiment-tag", new { experiment_id = id, key = "stage", value = "pilot" });
        await server.PostOkAsync("experiments/delete-experiment-tag", new { experiment_id = id, key = "team" });

        var renamed = (await server.GetOkAsync($"experiments/get?experiment_id={id}")).GetProperty("experiment");
        Assert.Equal("churn-v2", renamed.GetProperty("name").GetString());
        Assert.True(renamed.GetProperty("last_update_time").GetInt64() > created);
        var tags = renamed.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("key").GetString()).ToList();
        Assert.Equal(["stage"], tags);
        using var missing = await server.GetAsync("experiments/get-by-name?experiment_name=churn");
        await TestServer.ReadErrorAsync(missing, 404, ErrorCode.ResourceDoesNotExist);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Duplicate_name_is_RESOURCE_ALREADY_EXISTS(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await server.PostOkAsync("experiments/create", new { name = "dup" });

        using var response = await server.PostAsync("experiments/create", new { name = "dup" });

        await TestServer.ReadErrorAsync(response, 400, ErrorCode.ResourceAlreadyExists);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Delete_and_restore_flip_lifecycle_and_get_still_returns_deleted(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var id = (await server.PostOkAsync("experiments/create", new { name = "gone" })).GetProperty("experiment_id").GetString();

        await server.PostOkAsync("experiments/delete", new { experiment_id = id });
        var deleted = (await server.GetOkAsync($"experiments/get?experiment_id={id}")).GetProperty("experiment");
        Assert.Equal("deleted", deleted.GetProperty("lifecycle_stage").GetString());

        await server.PostOkAsync("experiments/restore", new { experiment_id = id });
        var restored = (await server.GetOkAsync($"experiments/get?experiment_id={id}")).GetProperty("experiment");
        Assert.Equal("active", restored.GetProperty("lifecycle_stage").GetString());
    }

    [Fact]
    public async Task Default_experiment_cannot_be_deleted()
    {
        await using var server = await TestServer.StartAsync();

        using var response = await server.PostAsync("experiments/delete", new { experiment_id = "0" });

        await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
    }

    [Fact]
    public async Task Create_with_missing_or_wrong_typed_name_is_400()
    {
        await using var server = await TestServer.StartAsync();

        using var missing = await server.PostAsync("experiments/create", new { });
        var message = await TestServer.ReadErrorAsync(missing, 400, ErrorCode.InvalidParameterValue);
        Assert.Contains("Missing value for required parameter 'name'", message);

        using var wrongType = await server.PostRawAsync("experiments/create", """{"name": 42}""");
        await TestServer.ReadErrorAsync(wrongType, 400, ErrorCode.InvalidParameterValue);
    }

    [Fact]
    public async Task Legacy_list_route_answers_for_old_clients()
    {
        await using var server = await TestServer.StartAsync();
        await server.PostOkAsync("experiments/create", new { name = "legacy" });

        var names = (await server.GetOkAsync("experiments/list")).GetProperty("experiments").EnumerateArray()
            .Select(e => e.GetProperty("name").GetString()).ToList();

        Assert.Equal(["Default", "legacy"], names);
    }

    [Fact]
    public async Task Ajax_prefix_serves_the_same_routes()
    {
        await using var server = await TestServer.StartAsync();

        var body = JsonDocument.Parse(await server.Http.GetStringAsync("ajax-api/2.0/mlflow/experiments/get?experiment_id=0")).RootElement;

        Assert.Equal("Default", body.GetProperty("experiment").GetProperty("name").GetString());
    }
}
