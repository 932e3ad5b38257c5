using System.Net.Http.Headers;
using System.Text;
using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;
using static Flightdeck.Server.Tests.Tracking.RunsTests;

namespace Flightdeck.Server.Tests.Tracking;

public sealed class RunArtifactsAndGcTests
{
    private static async Task UploadAsync(TestServer server, string experimentId, string runId, string path, string content)
    {
        using var body = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await server.Http.PutAsync($"api/2.0/mlflow-artifacts/artifacts/{experimentId}/{runId}/artifacts/{path}", body);
        await TestServer.ReadOkAsync(response);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Run_artifacts_list_and_get_artifact_resolve_through_the_run(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        await UploadAsync(server, "0", runId, "model/model.zip", "zip-bytes");
        await UploadAsync(server, "0", runId, "notes.txt", "hello");

        var root = await server.GetOkAsync($"artifacts/list?run_id={runId}");
        Assert.Equal($"mlflow-artifacts:/0/{runId}/artifacts", root.GetProperty("root_uri").GetString());
        var files = root.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("is_dir").GetBoolean());
        Assert.Equal(new Dictionary<string, bool> { ["model"] = true, ["notes.txt"] = false }, files);
        var nested = await server.GetOkAsync($"artifacts/list?run_id={runId}&path=model");
        var file = Assert.Single(nested.GetProperty("files").EnumerateArray());
        Assert.Equal("model/model.zip", file.GetProperty("path").GetString());
        Assert.Equal(9, file.GetProperty("file_size").GetInt64());

        Assert.Equal("hello", await server.Http.GetStringAsync($"get-artifact?run_id={runId}&path=notes.txt"));
        using var traversal = await server.GetAsync($"artifacts/list?run_id={runId}&path=../../other");
        await TestServer.ReadErrorAsync(traversal, 400, ErrorCode.InvalidParameterValue);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Gc_purges_deleted_runs_and_experiments_with_their_artifacts_and_keeps_the_rest(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var kept = await CreateRunAsync(server);
        var doomed = await CreateRunAsync(server);
        var experimentId = (await server.PostOkAsync("experiments/create", new { name = "old" })).GetProperty("experiment_id").GetString()!;
        var inExperiment = await CreateRunAsync(server, experimentId);
        await server.PostOkAsync("runs/log-metric", new { run_id = doomed, key = "m", value = 1.0, timestamp = 1 });
        foreach (var (exp, run) in new[] { ("0", kept), ("0", doomed), (experimentId, inExperiment) })
        {
            await UploadAsync(server, exp, run, "a.txt", run);
        }

        using var notDeleted = await server.Http.PostAsync("api/flightdeck/v1/gc",
            new StringContent($$"""{"run_ids": ["{{kept}}"]}""", Encoding.UTF8, "application/json"));
        await TestServer.ReadErrorAsync(notDeleted, 400, ErrorCode.InvalidParameterValue);

        await server.PostOkAsync("runs/delete", new { run_id = doomed });
        await server.PostOkAsync("experiments/delete", new { experiment_id = experimentId });
        using var gc = await server.Http.PostAsync("api/flightdeck/v1/gc", new StringContent("{}", Encoding.UTF8, "application/json"));
        var result = await TestServer.ReadOkAsync(gc);

        Assert.Equal([doomed, inExperiment], result.GetProperty("deleted_run_ids").EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal)
            .SequenceEqual(new[] { doomed, inExperiment }.Order(StringComparer.Ordinal)) ? [doomed, inExperiment] : ["mismatch"]);
        Assert.Equal([experimentId], result.GetProperty("deleted_experiment_ids").EnumerateArray().Select(e => e.GetString()));
        using var goneRun = await server.GetAsync($"runs/get?run_id={doomed}");
        await TestServer.ReadErrorAsync(goneRun, 404, ErrorCode.ResourceDoesNotExist);
        using var goneExperiment = await server.GetAsync($"experiments/get?experiment_id={experimentId}");
        await TestServer.ReadErrorAsync(goneExperiment, 404, ErrorCode.ResourceDoesNotExist);
        Assert.False(Directory.Exists(Path.Combine(server.Options.ArtifactsDestination, "0", doomed)));
        Assert.False(Directory.Exists(Path.Combine(server.Options.ArtifactsDestination, experimentId)));
        Assert.Equal(kept, await server.Http.GetStringAsync($"get-artifact?run_id={kept}&path=a.txt"));
    }

    [Fact]
    public async Task Gc_respects_the_retention()
    {
        await using var server = await TestServer.StartAsync();
        var runId = await CreateRunAsync(server);
        await server.PostOkAsync("runs/delete", new { run_id = runId });

        using var gc = await server.Http.PostAsync("api/flightdeck/v1/gc",
            new StringContent("""{"older_than_ms": 86400000}""", Encoding.UTF8, "application/json"));
        var result = await TestServer.ReadOkAsync(gc);

        Assert.Equal(0, result.GetProperty("deleted_run_ids").GetArrayLength());
        Assert.Equal("deleted", (await GetRunAsync(server, runId)).GetProperty("info").GetProperty("lifecycle_stage").GetString());
    }
}
