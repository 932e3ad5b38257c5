using Flightdeck.Server.Tests.Infrastructure;
using System.Text.Json;
using Flightdeck.Compat.Tests.Infrastructure;

namespace Flightdeck.Compat.Tests;

/// <summary>
/// The unmodified npm client `mlflow@2.0.7` (pinned in js/package-lock.json) drives a real server end to end;
/// the test then checks what it reported and what the server actually stored.
/// </summary>
public sealed class MlflowNpmClientTests
{
    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task The_npm_mlflow_client_runs_its_whole_workflow_and_the_server_keeps_what_it_logged(string backend)
    {
        // Given
        await CompatScripts.EnsureNodeModulesAsync();
        await using var server = await TestServer.StartAsync(backend);
        var summaryFile = Path.Combine(server.WorkDir, "js-summary.json");

        // When
        var result = await ExternalProcess.RunAsync(
            "node", ["mlflow-client-check.js", server.TrackingUrl, summaryFile], CompatScripts.JsDirectory, TimeSpan.FromMinutes(2));

        // Then: the client saw every call succeed
        Assert.True(File.Exists(summaryFile), $"the script wrote no summary: {result.Describe()}");
        var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile, TestContext.Current.CancellationToken)).RootElement;
        var failed = summary.GetProperty("steps").EnumerateArray().Where(s => !s.GetProperty("ok").GetBoolean()).Select(s => s.ToString()).ToList();
        Assert.True(result.ExitCode == 0 && failed.Count == 0, $"failed steps: {string.Join("; ", failed)}\n{result.Describe()}");
        Assert.True(summary.GetProperty("ok").GetBoolean());
        Assert.Equal("2.0.7", summary.GetProperty("client").GetString());
        Assert.Equal(
            [0.9, 0.7, 0.5, 0.35, 0.3],
            summary.GetProperty("loss_history").EnumerateArray().Select(m => m.GetProperty("value").GetDouble()));

        // The client's setExperimentTag drops the '/' before the action, as against MLflow it gets a 404 error body.
        var tagCall = summary.GetProperty("set_experiment_tag");
        Assert.Equal(404, tagCall.GetProperty("status").GetInt32());
        Assert.Equal("ENDPOINT_NOT_FOUND", tagCall.GetProperty("error_code").GetString());

        // Then: the server holds what the client sent
        var experimentId = summary.GetProperty("experiment_id").GetString()!;
        var runId = summary.GetProperty("run_id").GetString()!;
        var otherRunId = summary.GetProperty("other_run_id").GetString()!;
        await AssertRunStoredAsync(server, runId, experimentId);
        await AssertHistoryStoredAsync(server, runId);
        await AssertSearchAsync(server, experimentId, runId, otherRunId);
        await AssertExperimentStoredAsync(server, experimentId, summary.GetProperty("experiment_name").GetString() + "-renamed");
        await AssertArtifactStoredAsync(server, summary.GetProperty("run_artifact_uri").GetString()!);
    }

    private static async Task AssertRunStoredAsync(TestServer server, string runId, string experimentId)
    {
        var run = (await server.GetOkAsync($"runs/get?run_id={runId}")).GetProperty("run");
        var info = run.GetProperty("info");
        Assert.Equal(experimentId, info.GetProperty("experiment_id").GetString());
        Assert.Equal("FINISHED", info.GetProperty("status").GetString());
        Assert.Equal("active", info.GetProperty("lifecycle_stage").GetString());
        Assert.Equal("compat-js", info.GetProperty("user_id").GetString());
        Assert.Equal(info.GetProperty("start_time").GetInt64() + 5000, info.GetProperty("end_time").GetInt64());
        Assert.Equal("js-run", info.GetProperty("run_name").GetString());

        var data = run.GetProperty("data");
        Assert.Equal(
            new Dictionary<string, string> { ["lr"] = "0.01", ["batch_size"] = "32", ["optimizer"] = "adam" },
            Pairs(data, "params").ToDictionary(p => p.Key, p => p.Value.GetString()!));
        var metrics = Pairs(data, "metrics").ToDictionary(p => p.Key, p => p.Value.GetDouble());
        Assert.Equal(new Dictionary<string, double> { ["loss"] = 0.3, ["accuracy"] = 0.875 }, metrics);
        var tags = Pairs(data, "tags").ToDictionary(p => p.Key, p => p.Value.GetString()!);
        Assert.Equal("train", tags["stage"]);
        Assert.Equal("log-batch", tags["source"]);
        Assert.Equal("compat", tags["team"]);
        Assert.False(tags.ContainsKey("temporary"), "the tag the client deleted is still stored");
    }

    private static async Task AssertHistoryStoredAsync(TestServer server, string runId)
    {
        var loss = (await server.GetOkAsync($"metrics/get-history?run_id={runId}&metric_key=loss")).GetProperty("metrics");
        Assert.Equal([0L, 1, 2, 3, 4], loss.EnumerateArray().Select(m => m.GetProperty("step").GetInt64()));
        Assert.Equal([0.9, 0.7, 0.5, 0.35, 0.3], loss.EnumerateArray().Select(m => m.GetProperty("value").GetDouble()));
        var accuracy = (await server.GetOkAsync($"metrics/get-history?run_id={runId}&metric_key=accuracy")).GetProperty("metrics");
        Assert.Equal([0.5, 0.75, 0.875], accuracy.EnumerateArray().Select(m => m.GetProperty("value").GetDouble()));
    }

    private static async Task AssertSearchAsync(TestServer server, string experimentId, string runId, string otherRunId)
    {
        var ordered = await server.PostOkAsync("runs/search", JsonSerializer.Serialize(new
        {
            experiment_ids = new[] { experimentId },
            filter = "metrics.loss < 1",
            order_by = new[] { "metrics.loss ASC" },
        }));
        Assert.Equal([otherRunId, runId], ordered.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("info").GetProperty("run_id").GetString()));

        var filtered = await server.PostOkAsync("runs/search", JsonSerializer.Serialize(new
        {
            experiment_ids = new[] { experimentId },
            filter = "params.optimizer = 'adam' and tags.stage = 'train'",
        }));
        Assert.Equal([runId], filtered.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("info").GetProperty("run_id").GetString()));
    }

    private static async Task AssertExperimentStoredAsync(TestServer server, string experimentId, string expectedName)
    {
        var experiment = (await server.GetOkAsync($"experiments/get?experiment_id={experimentId}")).GetProperty("experiment");
        Assert.Equal(expectedName, experiment.GetProperty("name").GetString());
        Assert.Equal("active", experiment.GetProperty("lifecycle_stage").GetString());
    }

    private static async Task AssertArtifactStoredAsync(TestServer server, string artifactUri)
    {
        var relative = artifactUri["mlflow-artifacts:".Length..].TrimStart('/');
        var text = await server.Http.GetStringAsync($"api/2.0/mlflow-artifacts/artifacts/{relative}/model/notes.txt");
        Assert.Equal("hello from node", text);
    }

    private static IEnumerable<KeyValuePair<string, JsonElement>> Pairs(JsonElement data, string name) =>
        data.TryGetProperty(name, out var items)
            ? items.EnumerateArray().Select(i => KeyValuePair.Create(i.GetProperty("key").GetString()!, i.GetProperty("value")))
            : [];
}
