using System.Security.Cryptography;
using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.Contracts;

namespace Flightdeck.Client.Tests;

public sealed class ArtifactsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_directory_uploads_lists_and_downloads_with_the_same_bytes()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        await using var run = await client.StartRunAsync("artifacts", cancellationToken: Ct);
        var local = server.CreateLocalFolder("model");
        await File.WriteAllTextAsync(Path.Combine(local, "MLmodel"), "flavors: {}", Ct);
        Directory.CreateDirectory(Path.Combine(local, "data"));
        var weights = RandomNumberGenerator.GetBytes(300_000);
        await File.WriteAllBytesAsync(Path.Combine(local, "data", "weights.bin"), weights, Ct);

        var uploaded = await client.UploadArtifactAsync(run.RunId, local, "model", cancellationToken: Ct);
        var listing = await client.ListProxiedArtifactsAsync(ArtifactPath.Combine(ArtifactPath.ToProxyPath(run.ArtifactUri), "model"), Ct);
        var destination = server.CreateLocalFolder("download");
        var downloaded = await client.DownloadArtifactAsync(run.RunId, "model", destination, cancellationToken: Ct);

        Assert.Equal(2, uploaded);
        Assert.Equal(["MLmodel", "data"], listing.Files.Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.True(listing.Files.Single(f => f.Path == "data").IsDir);
        Assert.Equal(Path.Combine(destination, "model"), downloaded);
        Assert.Equal("flavors: {}", await File.ReadAllTextAsync(Path.Combine(downloaded, "MLmodel"), Ct));
        Assert.Equal(weights, await File.ReadAllBytesAsync(Path.Combine(downloaded, "data", "weights.bin"), Ct));
        Assert.Empty(Directory.EnumerateFiles(destination, "*.part", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_large_file_streams_both_ways_reporting_progress_up_to_its_size()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        await using var run = await client.StartRunAsync("large", cancellationToken: Ct);
        var file = Path.Combine(server.CreateLocalFolder("big"), "checkpoint.pt");
        const int size = 24 * 1024 * 1024 + 123;
        await using (var stream = File.Create(file))
        {
            var chunk = RandomNumberGenerator.GetBytes(1024 * 1024);
            for (var written = 0; written < size; written += chunk.Length)
            {
                await stream.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, size - written)), Ct);
            }
        }

        var sent = new RecordingProgress();
        var received = new RecordingProgress();
        await run.LogArtifactAsync(file, "checkpoints", sent, Ct);
        var back = await client.DownloadArtifactAsync(run.RunId, "checkpoints/checkpoint.pt", server.CreateLocalFolder("back"), received, Ct);

        Assert.Equal(size, sent.Values[^1]);
        Assert.Equal(size, received.Values[^1]);
        Assert.True(sent.Values.Count > 10, "progress is reported per chunk");
        Assert.Equal(sent.Values.Order(), sent.Values);
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(file)), SHA256.HashData(File.ReadAllBytes(back)));
    }

    [Fact]
    public async Task Streams_upload_and_download_by_artifact_uri_and_files_can_be_deleted()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        await using var run = await client.StartRunAsync("streams", cancellationToken: Ct);

        await client.UploadArtifactAsync(run.ArtifactUri, new MemoryStream("hello"u8.ToArray()), "notes/hello.txt", cancellationToken: Ct);
        using var target = new MemoryStream();
        var length = await client.DownloadArtifactAsync(run.ArtifactUri, "notes/hello.txt", target, cancellationToken: Ct);
        await client.DeleteArtifactAsync(run.RunId, "notes/hello.txt", Ct);

        Assert.Equal(5, length);
        Assert.Equal("hello"u8.ToArray(), target.ToArray());
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.DownloadArtifactAsync(run.RunId, "notes/hello.txt", new MemoryStream(), cancellationToken: Ct));
    }

    [Fact]
    public async Task Traversal_paths_are_refused_before_any_request()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<FlightdeckException>(() =>
            client.UploadArtifactAsync("mlflow-artifacts:/1/r/artifacts", new MemoryStream([1]), "../../escape.txt", cancellationToken: Ct));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.ErrorCode);
        Assert.False(File.Exists(Path.Combine(server.Options.ArtifactsDestination, "..", "escape.txt")));
    }

    [Fact]
    public async Task The_tracking_listing_shows_a_runs_artifacts_relative_to_its_root()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        await using var run = await client.StartRunAsync("listing", cancellationToken: Ct);
        await client.UploadArtifactAsync(run.RunId, new MemoryStream(new byte[10]), "model/a.bin", cancellationToken: Ct);
        await client.UploadArtifactAsync(run.RunId, new MemoryStream(new byte[3]), "readme.txt", cancellationToken: Ct);

        var root = await client.ListArtifactsAsync(run.RunId, cancellationToken: Ct);
        var model = await client.ListArtifactsAsync(run.RunId, "model", cancellationToken: Ct);

        Assert.Equal(["model", "readme.txt"], root.Files.Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.Equal(3, root.Files.Single(f => f.Path == "readme.txt").FileSize);
        Assert.Equal("model/a.bin", Assert.Single(model.Files).Path);
    }

    private sealed class RecordingProgress : IProgress<long>
    {
        public List<long> Values { get; } = [];

        public void Report(long value) => Values.Add(value);
    }
}
