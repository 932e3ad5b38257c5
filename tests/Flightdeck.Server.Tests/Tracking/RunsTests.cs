using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Tracking;

public sealed class RunsTests
{
    internal static async Task<string> CreateRunAsync(TestServer server, string experimentId = "0", object? extra = null)
    {
        var body = extra ?? new { experiment_id = experimentId };
        return (await server.PostOkAsync("runs/create", body)).GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
    }

    internal static async Task<JsonElement> GetRunAsync(TestServer server, string runId) =>
        (await server.GetOkAsync($"runs/get?run_id={runId}")).GetProperty("run");

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Create_round_trips_start_time_name_tags_and_user_from_tag(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);

        var run = (await server.PostOkAsync("runs/create", new
        {
            experiment_id = "0",
            run_name = "first",
            start_time = 1_700_000_000_123L,
            tags = new[] { new { key = "mlflow.user", value = "ada" }, new { key = "team", value = "x" } },
        })).GetProperty("run");

        var info = run.GetProperty("info");
        Assert.Equal("first", info.GetProperty("run_name").GetString());
        Assert.Equal(1_700_000_000_123L, info.GetProperty("start_time").GetInt64());
        Assert.Equal("ada", info.GetProperty("user_id").GetString());
        Assert.Equal("RUNNING", info.GetProperty("status").GetString());
        var runId = info.GetProperty("run_id").GetString();
        Assert.Equal(runId, info.GetProperty("run_uuid").GetString());
        Assert.Equal($"mlflow-artifacts:/0/{runId}/artifacts", info.GetProperty("artifact_uri").GetString());
        var tags = run.GetProperty("data").GetProperty("tags").EnumerateArray()
            .ToDictionary(t => t.GetProperty("key").GetString()!, t => t.GetProperty("value").GetString());
        Assert.Equal("first", tags["mlflow.runName"]);
        Assert.Equal("x", tags["team"]);
    }

    [Fact]
    public async Task Create_defaults_user_unknown_and_generates_a_name()
    {
        await using var server = await TestServer.StartAsync();

        var info = (await server.PostOkAsync("runs/create", new { experiment_id = "0" })).GetProperty("run").GetProperty("info");

        Assert.Equal("unknown", info.GetProperty("user_id").GetString());
        Assert.Matches("^[a-z]+-[a-z]+-\\d+$", info.GetProperty("run_name").GetString());
    }

    [Fact]
    public async Task Conflicting_run_name_and_tag_at_creation_is_an_error()
    {
        await using var server = await TestServer.StartAsync();

        using var response = await server.PostAsync("runs/create", new
        {
            experiment_id = "0", run_name = "a", tags = new[] { new { key = "mlflow.runName", value = "b" } },
        });

        await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Run_name_and_runName_tag_stay_in_sync(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);

        await server.PostOkAsync("runs/update", new { run_id = runId, run_name = "renamed" });
        var afterUpdate = await GetRunAsync(server, runId);
        Assert.Equal("renamed", afterUpdate.GetProperty("info").GetProperty("run_name").GetString());
        Assert.Equal("RUNNING", afterUpdate.GetProperty("info").GetProperty("status").GetString());

        await server.PostOkAsync("runs/set-tag", new { run_id = runId, key = "mlflow.runName", value = "by-tag" });
        Assert.Equal("by-tag", (await GetRunAsync(server, runId)).GetProperty("info").GetProperty("run_name").GetString());

        await server.PostOkAsync("runs/log-batch", new { run_id = runId, tags = new[] { new { key = "mlflow.runName", value = "by-batch" } } });
        var run = await GetRunAsync(server, runId);
        Assert.Equal("by-batch", run.GetProperty("info").GetProperty("run_name").GetString());
        Assert.Contains(run.GetProperty("data").GetProperty("tags").EnumerateArray(),
            t => t.GetProperty("key").GetString() == "mlflow.runName" && t.GetProperty("value").GetString() == "by-batch");
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Terminating_sets_status_and_end_time(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);

        var info = (await server.PostOkAsync("runs/update", new { run_uuid = runId, status = "FINISHED", end_time = 1_800_000_000_000L }))
            .GetProperty("run_info");

        Assert.Equal("FINISHED", info.GetProperty("status").GetString());
        Assert.Equal(1_800_000_000_000L, info.GetProperty("end_time").GetInt64());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Deleted_run_refuses_logging_until_restored(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);

        await server.PostOkAsync("runs/delete", new { run_id = runId });
        await server.PostOkAsync("runs/delete", new { run_id = runId }); // idempotent
        using var refused = await server.PostAsync("runs/log-metric", new { run_id = runId, key = "m", value = 1.0, timestamp = 1 });
        var message = await TestServer.ReadErrorAsync(refused, 400, ErrorCode.InvalidParameterValue);
        Assert.Contains("must be in the 'active' state", message);
        Assert.Equal("deleted", (await GetRunAsync(server, runId)).GetProperty("info").GetProperty("lifecycle_stage").GetString());

        await server.PostOkAsync("runs/restore", new { run_id = runId });
        await server.PostOkAsync("runs/restore", new { run_id = runId });
        await server.PostOkAsync("runs/log-metric", new { run_id = runId, key = "m", value = 1.0, timestamp = 1 });
    }

    [Fact]
    public async Task Unknown_run_is_RESOURCE_DOES_NOT_EXIST()
    {
        await using var server = await TestServer.StartAsync();

        using var get = await server.GetAsync("runs/get?run_id=0123456789abcdef0123456789abcdef");
        await TestServer.ReadErrorAsync(get, 404, ErrorCode.ResourceDoesNotExist);
        using var batch = await server.PostAsync("runs/log-batch", new { run_id = "nope" });
        await TestServer.ReadErrorAsync(batch, 404, ErrorCode.ResourceDoesNotExist);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Delete_tag_removes_it_and_a_missing_tag_is_404(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        await server.PostOkAsync("runs/set-tag", new { run_id = runId, key = "t", value = "1" });

        await server.PostOkAsync("runs/delete-tag", new { run_id = runId, key = "t" });
        using var again = await server.PostAsync("runs/delete-tag", new { run_id = runId, key = "t" });

        await TestServer.ReadErrorAsync(again, 404, ErrorCode.ResourceDoesNotExist);
        Assert.DoesNotContain((await GetRunAsync(server, runId)).GetProperty("data").GetProperty("tags").EnumerateArray(),
            t => t.GetProperty("key").GetString() == "t");
    }
}
