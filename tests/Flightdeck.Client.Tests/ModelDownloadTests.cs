using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.Contracts;

namespace Flightdeck.Client.Tests;

public sealed class ModelDownloadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_uri_form_resolves_to_its_version_and_downloads_the_model_folder()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        var (runId, _) = await LogModelsAsync(server, client);
        await client.CreateRegisteredModelAsync("readmission", cancellationToken: Ct);
        await client.CreateModelVersionAsync("readmission", $"runs:/{runId}/model-v1", runId, cancellationToken: Ct);
        await client.CreateModelVersionAsync("readmission", $"runs:/{runId}/model-v2", runId, cancellationToken: Ct);
        await client.SetRegisteredModelAliasAsync("readmission", "champion", "1", Ct);
        await client.TransitionModelVersionStageAsync("readmission", "2", ModelStage.Staging, cancellationToken: Ct);

        var expected = new Dictionary<string, (string? Version, string Content)>
        {
            [$"runs:/{runId}/model-v1"] = (null, "v1"),
            ["models:/readmission/1"] = ("1", "v1"),
            ["models:/readmission@champion"] = ("1", "v1"),
            ["models:/readmission/staging"] = ("2", "v2"),
            ["models:/readmission/latest"] = ("2", "v2"),
        };
        foreach (var (uri, (version, content)) in expected)
        {
            var destination = Path.Combine(server.WorkDir, "local", "dl-" + Guid.NewGuid().ToString("N"));

            var downloaded = await client.DownloadModelAsync(uri, destination, cancellationToken: Ct);

            Assert.Equal(destination, downloaded.LocalPath);
            Assert.Equal(version, downloaded.Model.ModelVersion?.Version);
            Assert.Equal(runId, downloaded.Model.RunId);
            Assert.Equal("model-" + content, downloaded.Model.ArtifactPath);
            Assert.Equal($"flavors: {content}", await File.ReadAllTextAsync(Path.Combine(destination, "MLmodel"), Ct));
            Assert.Equal(content, await File.ReadAllTextAsync(Path.Combine(destination, "data", "model.zip"), Ct));
        }
    }

    [Fact]
    public async Task A_version_registered_from_an_artifact_uri_finds_its_path_in_the_run()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        var (runId, artifactUri) = await LogModelsAsync(server, client);
        await client.CreateRegisteredModelAsync("direct", cancellationToken: Ct);
        await client.CreateModelVersionAsync("direct", artifactUri + "/model-v2", runId, cancellationToken: Ct);

        var resolved = await client.ResolveModelUriAsync("models:/direct/1", Ct);

        Assert.Equal(artifactUri + "/model-v2", resolved.ArtifactUri);
        Assert.Equal("model-v2", resolved.ArtifactPath);
        Assert.Equal(ModelUriKind.Version, resolved.Uri.Kind);
    }

    [Fact]
    public async Task A_single_file_model_lands_under_its_name()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        await using var run = await client.StartRunAsync("onnx", cancellationToken: Ct);
        await client.UploadArtifactAsync(run.RunId, new MemoryStream("onnx-bytes"u8.ToArray()), "model.onnx", cancellationToken: Ct);
        var destination = server.CreateLocalFolder("single");

        var downloaded = await client.DownloadModelAsync($"runs:/{run.RunId}/model.onnx", destination, cancellationToken: Ct);

        Assert.Equal(Path.Combine(destination, "model.onnx"), downloaded.LocalPath);
        Assert.Equal("onnx-bytes", await File.ReadAllTextAsync(downloaded.LocalPath, Ct));
    }

    [Fact]
    public async Task Unknown_targets_and_missing_files_are_not_found_and_malformed_uris_fail_before_any_request()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        await using var run = await client.StartRunAsync("empty", cancellationToken: Ct);
        await client.CreateRegisteredModelAsync("m", cancellationToken: Ct);
        var destination = server.CreateLocalFolder("nothing");

        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.ResolveModelUriAsync("models:/m@champion", Ct));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.ResolveModelUriAsync("models:/m/3", Ct));
        var noStage = await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.ResolveModelUriAsync("models:/m/Production", Ct));
        var noVersions = await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.ResolveModelUriAsync("models:/m/latest", Ct));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.ResolveModelUriAsync("models:/missing/1", Ct));
        var noFiles = await Assert.ThrowsAsync<ResourceNotFoundException>(() =>
            client.DownloadModelAsync($"runs:/{run.RunId}/model", destination, cancellationToken: Ct));
        var malformed = await Assert.ThrowsAsync<FlightdeckException>(() => client.DownloadModelAsync("models:/m", destination, cancellationToken: Ct));

        Assert.Contains("no version in stage 'Production'", noStage.Message, StringComparison.Ordinal);
        Assert.Contains("has no versions", noVersions.Message, StringComparison.Ordinal);
        Assert.Contains("No model files", noFiles.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.InvalidParameterValue, malformed.ErrorCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(destination));
    }

    /// <summary>Logs two model folders, model-v1 and model-v2, each with an MLmodel file and a data file naming its version.</summary>
    private static async Task<(string RunId, string ArtifactUri)> LogModelsAsync(TestServer server, FlightdeckClient client)
    {
        await using var run = await client.StartRunAsync("models", cancellationToken: Ct);
        foreach (var version in new[] { "v1", "v2" })
        {
            var local = server.CreateLocalFolder("model-" + version);
            await File.WriteAllTextAsync(Path.Combine(local, "MLmodel"), $"flavors: {version}", Ct);
            Directory.CreateDirectory(Path.Combine(local, "data"));
            await File.WriteAllTextAsync(Path.Combine(local, "data", "model.zip"), version, Ct);
            await client.UploadArtifactAsync(run.RunId, local, "model-" + version, cancellationToken: Ct);
        }

        return (run.RunId, run.ArtifactUri);
    }
}
