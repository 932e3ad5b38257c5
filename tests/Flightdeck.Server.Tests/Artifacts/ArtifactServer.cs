using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Artifacts;

public static class ArtifactStores
{
    public const string Local = "local";
    public const string S3 = "s3";

    public static TheoryData<string> All => new(Local, S3);
}

/// <summary>
/// A running server whose artifacts go to a local folder or to a prefix of a fresh S3 bucket, with a view of
/// everything the destination holds so tests can prove nothing landed where it should not.
/// </summary>
public sealed class ArtifactServer : IAsyncDisposable
{
    public const string Route = "api/2.0/mlflow-artifacts/artifacts";
    public const string S3Prefix = "team/artifacts";

    private ArtifactServer(TestServer server, S3TestBucket? bucket)
    {
        Server = server;
        Bucket = bucket;
    }

    public TestServer Server { get; }

    public S3TestBucket? Bucket { get; }

    public HttpClient Http => Server.Http;

    /// <summary>The local artifact root; for S3 servers, a folder that must stay empty.</summary>
    public string LocalRoot => Path.Combine(Server.WorkDir, "artifacts");

    public static async Task<ArtifactServer> StartAsync(string kind)
    {
        if (kind == ArtifactStores.Local)
        {
            return new ArtifactServer(await TestServer.StartAsync(), bucket: null);
        }

        var bucket = await S3TestBucket.CreateAsync();
        var server = await TestServer.StartAsync(configure: o => o with { ArtifactsDestination = $"s3://{bucket.Name}/{S3Prefix}" });
        return new ArtifactServer(server, bucket);
    }

    public Task<HttpResponseMessage> PutAsync(string path, byte[] content) => Http.PutAsync($"{Route}/{path}", new ByteArrayContent(content));

    public Task<HttpResponseMessage> GetAsync(string path) => Http.GetAsync($"{Route}/{path}");

    public Task<HttpResponseMessage> DeleteAsync(string path) => Http.DeleteAsync($"{Route}/{path}");

    public Task<HttpResponseMessage> ListAsync(string? path) =>
        Http.GetAsync(path is null ? Route : $"{Route}?path={Uri.EscapeDataString(path)}");

    public async Task PutOkAsync(string path, byte[] content)
    {
        using var response = await PutAsync(path, content);
        Assert.Equal("{}", (await TestServer.ReadOkAsync(response)).GetRawText());
    }

    public async Task<byte[]> GetBytesOkAsync(string path)
    {
        using var response = await GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>(name, is_dir, file_size) of a listing, in the server's order.</summary>
    public async Task<List<(string Path, bool IsDir, long? FileSize)>> ListOkAsync(string? path)
    {
        using var response = await ListAsync(path);
        var body = await TestServer.ReadOkAsync(response);
        if (!body.TryGetProperty("files", out var files))
        {
            return [];
        }

        return files.EnumerateArray().Select(file => (
            file.GetProperty("path").GetString()!,
            file.TryGetProperty("is_dir", out var isDir) && isDir.GetBoolean(),
            file.TryGetProperty("file_size", out var size) ? size.GetInt64() : (long?)null)).ToList();
    }

    /// <summary>Every file in the test's work folder (outside the database) and every key in the bucket.</summary>
    public async Task<List<string>> EverythingStoredAsync()
    {
        var files = Directory.EnumerateFiles(Server.WorkDir, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(Server.WorkDir, file).Replace('\\', '/'))
            .Where(file => !file.StartsWith("flightdeck.db", StringComparison.Ordinal))
            .Select(file => "file:" + file);
        var keys = Bucket is null ? [] : (await Bucket.KeysAsync()).Select(key => "s3:" + key);
        return [.. files.Concat(keys).Order(StringComparer.Ordinal)];
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (Bucket is not null)
        {
            await Bucket.DisposeAsync();
        }
    }
}
