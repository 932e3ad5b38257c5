using System.Net;
using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Artifacts;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Registry;

public sealed class ModelVersionArtifactTests
{
    private const string ArtifactsRoute = "api/2.0/mlflow-artifacts/artifacts/";

    public static TheoryData<string, string> BackendsAndArtifactStores => new()
    {
        { StoreBackend.Sqlite, ArtifactStores.Local },
        { StoreBackend.Postgres, ArtifactStores.Local },
        { StoreBackend.Sqlite, ArtifactStores.S3 },
        { StoreBackend.Postgres, ArtifactStores.S3 },
    };

    [Theory]
    [MemberData(nameof(BackendsAndArtifactStores))]
    public async Task A_versions_files_are_served_under_every_prefix(string backend, string artifactStore)
    {
        await using var bucket = artifactStore == ArtifactStores.S3 ? await S3TestBucket.CreateAsync() : null;
        await using var server = await TestServer.StartAsync(backend,
            bucket is null ? null : o => o with { ArtifactsDestination = $"s3://{bucket.Name}/{ArtifactServer.S3Prefix}" });
        var runId = await UploadModelAsync(server);
        await server.CreateModelAsync("m");
        await server.CreateVersionAsync("m", $"runs:/{runId}/model", runId);

        foreach (var prefix in new[] { "", "api/2.0/mlflow/", "ajax-api/2.0/mlflow/" })
        {
            using var response = await server.Http.GetAsync($"{prefix}model-versions/get-artifact?name=m&version=1&path=MLmodel");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("flavors: {}", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        }

        var nested = await server.Http.GetStringAsync("model-versions/get-artifact?name=m&version=1&path=data%2Fmodel.zip",
            TestContext.Current.CancellationToken);
        Assert.Equal("zip-bytes", nested);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Traversal_encoded_separators_and_absolute_paths_are_refused(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await UploadModelAsync(server);
        await server.CreateModelAsync("m");
        await server.CreateVersionAsync("m", $"runs:/{runId}/model", runId);

        // As sent on the wire, after the query string's own encoding.
        var badPaths = new[]
        {
            "..%2F..%2Fsecret.txt", "%2e%2e/secret.txt", "data/..%252F..%252Fsecret.txt", "data%252Fmodel.zip", "MLmodel%2500", "MLmodel%00",
            "%2Fetc%2Fpasswd", "/etc/passwd", "C:%5Cwindows", "data%5Cmodel.zip", "./MLmodel", "data//model.zip", "",
        };
        foreach (var path in badPaths)
        {
            using var response = await server.GetAsync($"model-versions/get-artifact?name=m&version=1&path={path}");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"path={path}: {(int)response.StatusCode}");
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Unknown_models_versions_and_files_are_not_found_and_bad_versions_are_refused(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await UploadModelAsync(server);
        await server.CreateModelAsync("m");
        await server.CreateVersionAsync("m", $"runs:/{runId}/model", runId);
        await server.CreateVersionAsync("m", "s3://elsewhere/model");

        foreach (var query in new[] { "name=nope&version=1&path=MLmodel", "name=m&version=9&path=MLmodel", "name=m&version=1&path=missing.bin" })
        {
            using var response = await server.GetAsync("model-versions/get-artifact?" + query);
            await TestServer.ReadErrorAsync(response, 404, ErrorCode.ResourceDoesNotExist);
        }

        foreach (var query in new[] { "name=m&version=one&path=MLmodel", "version=1&path=MLmodel", "name=m&path=MLmodel" })
        {
            using var response = await server.GetAsync("model-versions/get-artifact?" + query);
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }

        using var notProxied = await server.GetAsync("model-versions/get-artifact?name=m&version=2&path=MLmodel");
        Assert.Contains("does not proxy", await TestServer.ReadErrorAsync(notProxied, 400, ErrorCode.InvalidParameterValue), StringComparison.Ordinal);
    }

    /// <summary>Creates a run and uploads model/MLmodel and model/data/model.zip to its artifacts, plus secret.txt beside them.</summary>
    private static async Task<string> UploadModelAsync(TestServer server)
    {
        var runId = await server.CreateRunAsync();
        var artifactUri = (await server.GetOkAsync($"runs/get?run_id={runId}")).GetProperty("run").GetProperty("info").GetProperty("artifact_uri").GetString()!;
        var root = artifactUri["mlflow-artifacts:".Length..].TrimStart('/');
        foreach (var (path, content) in new[] { ("model/MLmodel", "flavors: {}"), ("model/data/model.zip", "zip-bytes"), ("secret.txt", "secret") })
        {
            using var response = await server.Http.PutAsync(ArtifactsRoute + root + "/" + path, new StringContent(content),
                TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        return runId;
    }
}
