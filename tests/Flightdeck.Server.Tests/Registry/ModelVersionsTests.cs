using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Registry;

public sealed class ModelVersionsTests
{
    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Versions_round_trip_with_tags_description_and_download_uri(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await server.CreateModelAsync("m");
        var runId = await server.CreateRunAsync();
        var runArtifacts = (await server.GetOkAsync($"runs/get?run_id={runId}")).GetProperty("run").GetProperty("info").GetProperty("artifact_uri").GetString();

        var v1 = (await server.PostOkAsync("model-versions/create", new
        {
            name = "m",
            source = $"runs:/{runId}/model",
            run_id = runId,
            run_link = "http://ci/1",
            description = "from run",
            tags = new[] { new { key = "k", value = "v" } },
        })).GetProperty("model_version");
        Assert.Equal("1", v1.GetProperty("version").GetString());
        Assert.Equal("None", v1.GetProperty("current_stage").GetString());
        Assert.Equal("READY", v1.GetProperty("status").GetString());
        Assert.Equal(runId, v1.GetProperty("run_id").GetString());
        Assert.Equal(["k"], v1.GetProperty("tags").Strings("key"));
        var v2 = await server.CreateVersionAsync("m", "s3://bucket/models/m");
        Assert.Equal("2", v2.GetProperty("version").GetString());

        var updated = (await server.SendOkAsync(HttpMethod.Patch, "model-versions/update", new { name = "m", version = "1", description = "better" }))
            .GetProperty("model_version");
        Assert.Equal("better", updated.GetProperty("description").GetString());
        await server.PostOkAsync("model-versions/set-tag", new { name = "m", version = "1", key = "k2", value = "v2" });
        await server.SendOkAsync(HttpMethod.Delete, "model-versions/delete-tag", new { name = "m", version = "1", key = "k" });
        var fetched = (await server.GetOkAsync("model-versions/get?name=m&version=1")).GetProperty("model_version");
        Assert.Equal(["k2"], fetched.GetProperty("tags").Strings("key"));
        Assert.Equal("http://ci/1", fetched.GetProperty("run_link").GetString());

        Assert.Equal($"{runArtifacts}/model", (await server.GetOkAsync("model-versions/get-download-uri?name=m&version=1")).GetProperty("artifact_uri").GetString());
        Assert.Equal("s3://bucket/models/m", (await server.GetOkAsync("model-versions/get-download-uri?name=m&version=2")).GetProperty("artifact_uri").GetString());

        await server.SendOkAsync(HttpMethod.Delete, "model-versions/delete", new { name = "m", version = "2" });
        using (var deleted = await server.GetAsync("model-versions/get?name=m&version=2"))
        {
            await TestServer.ReadErrorAsync(deleted, 404, ErrorCode.ResourceDoesNotExist);
        }

        // A deleted number is never handed out again.
        Assert.Equal("3", (await server.CreateVersionAsync("m")).GetProperty("version").GetString());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Missing_models_versions_and_bad_versions_answer_MLflow_errors(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await server.CreateModelAsync("m");

        using (var noModel = await server.PostAsync("model-versions/create", new { name = "nope", source = "s3://b/m" }))
        {
            await TestServer.ReadErrorAsync(noModel, 404, ErrorCode.ResourceDoesNotExist);
        }

        using (var noVersion = await server.GetAsync("model-versions/get?name=m&version=7"))
        {
            Assert.Contains("version=7", await TestServer.ReadErrorAsync(noVersion, 404, ErrorCode.ResourceDoesNotExist), StringComparison.Ordinal);
        }

        using (var notNumber = await server.GetAsync("model-versions/get?name=m&version=abc"))
        {
            await TestServer.ReadErrorAsync(notNumber, 400, ErrorCode.InvalidParameterValue);
        }

        using (var noSource = await server.PostAsync("model-versions/create", new { name = "m" }))
        {
            Assert.Contains("'source'", await TestServer.ReadErrorAsync(noSource, 400, ErrorCode.InvalidParameterValue), StringComparison.Ordinal);
        }

        using var badStage = await server.PostAsync("model-versions/transition-stage",
            new { name = "m", version = "1", stage = "Shipping", archive_existing_versions = false });
        await TestServer.ReadErrorAsync(badStage, 400, ErrorCode.InvalidParameterValue);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Sources_with_traversal_or_encoded_separators_are_refused(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await server.CreateModelAsync("m");
        var runId = await server.CreateRunAsync();

        var bad = new[]
        {
            $"runs:/{runId}/../other", "s3://bucket/a/../b", "s3://bucket/a%2Fb", "s3://bucket/a%2fb", "/tmp/model%00",
            "s3://bucket/a%252Fb", "s3://bucket/%2e%2e/b", "file:///data/..%2fetc",
        };
        foreach (var source in bad)
        {
            using var response = await server.PostAsync("model-versions/create", new { name = "m", source });
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }

        using (var unknownRun = await server.PostAsync("model-versions/create", new { name = "m", source = "runs:/0123456789abcdef0123456789abcdef/model" }))
        {
            await TestServer.ReadErrorAsync(unknownRun, 404, ErrorCode.ResourceDoesNotExist);
        }

        // None of the refused calls used up a version number.
        Assert.Equal("1", (await server.CreateVersionAsync("m", $"runs:/{runId}/model")).GetProperty("version").GetString());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_local_source_must_lie_in_its_runs_artifact_directory(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await server.CreateModelAsync("m");
        var root = Path.Combine(server.WorkDir, "local-artifacts").Replace('\\', '/');
        var experimentId = (await server.PostOkAsync("experiments/create", new { name = "local", artifact_location = root })).GetProperty("experiment_id").GetString();
        var runId = (await server.PostOkAsync("runs/create", new { experiment_id = experimentId })).GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
        var proxiedRunId = await server.CreateRunAsync();
        var inside = $"{root}/{runId}/artifacts/model";

        Assert.Equal("1", (await server.CreateVersionAsync("m", inside, runId)).GetProperty("version").GetString());
        Assert.Equal("2", (await server.CreateVersionAsync("m", "file://" + inside, runId)).GetProperty("version").GetString());
        foreach (var (source, run) in new[] { (inside, (string?)null), ($"{root}/{runId}/other", runId), ("/etc/passwd", proxiedRunId), ("model", runId) })
        {
            using var response = await server.PostAsync("model-versions/create", new { name = "m", source, run_id = run });
            Assert.Contains("local path", await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Stage_transitions_archive_existing_versions_and_latest_versions_follow(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await server.CreateModelAsync("m");
        for (var i = 0; i < 4; i++)
        {
            await server.CreateVersionAsync("m");
        }

        async Task<string?> Transition(string version, string stage, bool archive) =>
            (await server.PostOkAsync("model-versions/transition-stage", new { name = "m", version, stage, archive_existing_versions = archive }))
                .GetProperty("model_version").GetProperty("current_stage").GetString();

        Assert.Equal("Production", await Transition("1", "production", false));
        Assert.Equal("Production", await Transition("2", "Production", false));
        Assert.Equal("Staging", await Transition("3", "Staging", false));
        Assert.Equal("Production", await Transition("4", "Production", true));

        async Task<string?> Stage(string version) =>
            (await server.GetOkAsync($"model-versions/get?name=m&version={version}")).GetProperty("model_version").GetProperty("current_stage").GetString();
        Assert.Equal("Archived", await Stage("1"));
        Assert.Equal("Archived", await Stage("2"));
        Assert.Equal("Staging", await Stage("3"));

        var latest = (await server.PostOkAsync("registered-models/get-latest-versions", new { name = "m", stages = new[] { "Production", "Staging" } }))
            .GetProperty("model_versions");
        Assert.Equal(["3", "4"], latest.Strings("version"));
        var all = (await server.GetOkAsync("registered-models/get-latest-versions?name=m")).GetProperty("model_versions");
        Assert.Equal(["2", "3", "4"], all.Strings("version"));
        var model = (await server.GetOkAsync("registered-models/get?name=m")).GetProperty("registered_model");
        Assert.Equal(["2", "3", "4"], model.GetProperty("latest_versions").Strings("version"));

        using var archiveToNone = await server.PostAsync("model-versions/transition-stage",
            new { name = "m", version = "3", stage = "None", archive_existing_versions = true });
        await TestServer.ReadErrorAsync(archiveToNone, 400, ErrorCode.InvalidParameterValue);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Search_versions_by_name_run_and_source_with_order_and_pages(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await server.CreateRunAsync();
        await server.CreateModelAsync("a");
        await server.CreateModelAsync("b");
        await server.CreateVersionAsync("a", "s3://bucket/a1");
        await server.CreateVersionAsync("a", $"runs:/{runId}/model", runId);
        await server.CreateVersionAsync("b", "s3://bucket/b1");

        async Task<List<string>> Keys(string query)
        {
            var body = await server.GetOkAsync("model-versions/search?" + query);
            return body.TryGetProperty("model_versions", out var versions)
                ? versions.EnumerateArray().Select(v => $"{v.GetProperty("name").GetString()}/{v.GetProperty("version").GetString()}").ToList()
                : [];
        }

        Assert.Equal(["a/2", "a/1", "b/1"], await Keys(""));
        Assert.Equal(["a/2", "a/1"], await Keys("filter=" + Uri.EscapeDataString("name = 'a'")));
        Assert.Equal(["a/2"], await Keys("filter=" + Uri.EscapeDataString($"run_id = '{runId}'")));
        Assert.Equal(["a/1", "b/1"], await Keys("filter=" + Uri.EscapeDataString("source_path LIKE 's3://bucket/%'")));
        Assert.Equal(["a/1", "b/1", "a/2"], await Keys("order_by=" + Uri.EscapeDataString("version_number ASC")));
        Assert.Equal(["b/1", "a/2", "a/1"], await Keys("order_by=" + Uri.EscapeDataString("name DESC") + "&order_by=" + Uri.EscapeDataString("version_number DESC")));
        var first = await server.GetOkAsync("model-versions/search?max_results=2");
        Assert.Equal(2, first.GetProperty("model_versions").GetArrayLength());
        var second = await server.GetOkAsync("model-versions/search?max_results=2&page_token=" + Uri.EscapeDataString(first.GetProperty("next_page_token").GetString()!));
        Assert.Equal(["b/1"], second.GetProperty("model_versions").EnumerateArray()
            .Select(v => $"{v.GetProperty("name").GetString()}/{v.GetProperty("version").GetString()}").ToList());
        Assert.False(second.TryGetProperty("next_page_token", out _));

        using var bad = await server.GetAsync("model-versions/search?filter=" + Uri.EscapeDataString("flavor = 'onnx'"));
        await TestServer.ReadErrorAsync(bad, 400, ErrorCode.InvalidParameterValue);
    }
}
