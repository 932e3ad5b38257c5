using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Artifacts;

/// <summary>An upload in progress is invisible, and one the client abandons leaves nothing behind.</summary>
public sealed class ArtifactUploadAtomicityTests
{
    private const string Folder = "1/run/artifacts";

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task A_half_uploaded_file_never_appears_and_an_abandoned_upload_leaves_nothing(string store)
    {
        await using var server = await ArtifactServer.StartAsync(store);
        await server.PutOkAsync($"{Folder}/model.bin", "previous version"u8.ToArray());
        var release = new TaskCompletionSource();
        // Stalls past the first 8 MB part, so the S3 store has a multipart upload open.
        var body = new GeneratedStream(32L * 1024 * 1024) { StallAfter = 12L * 1024 * 1024, StallUntil = release.Task };
        using var abandon = new CancellationTokenSource();
        var upload = server.Http.PutAsync($"{ArtifactServer.Route}/{Folder}/model.bin", new StreamContent(body), abandon.Token);
        await body.Stalled.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => UploadInProgressAsync(server));

        Assert.Equal([("model.bin", false, 16L)], await server.ListOkAsync(Folder));
        Assert.Equal("previous version"u8.ToArray(), await server.GetBytesOkAsync($"{Folder}/model.bin"));

        await abandon.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upload);
        await WaitUntilAsync(async () => !await UploadInProgressAsync(server));
        Assert.Equal([("model.bin", false, 16L)], await server.ListOkAsync(Folder));
        Assert.Equal("previous version"u8.ToArray(), await server.GetBytesOkAsync($"{Folder}/model.bin"));
    }

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task An_abandoned_first_upload_leaves_no_file(string store)
    {
        await using var server = await ArtifactServer.StartAsync(store);
        var body = new GeneratedStream(32L * 1024 * 1024) { StallAfter = 12L * 1024 * 1024, StallUntil = new TaskCompletionSource().Task };
        using var abandon = new CancellationTokenSource();
        var upload = server.Http.PutAsync($"{ArtifactServer.Route}/{Folder}/new.bin", new StreamContent(body), abandon.Token);
        await body.Stalled.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => UploadInProgressAsync(server));

        using (var during = await server.GetAsync($"{Folder}/new.bin"))
        {
            await TestServer.ReadErrorAsync(during, 404, ErrorCode.ResourceDoesNotExist);
        }

        await abandon.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => upload);
        await WaitUntilAsync(async () => !await UploadInProgressAsync(server));
        Assert.Empty(await server.ListOkAsync(Folder));
        Assert.Empty(await server.EverythingStoredAsync());
    }

    /// <summary>Whether the server holds a partial upload: a temp file in the local root, or an open multipart upload.</summary>
    private static async Task<bool> UploadInProgressAsync(ArtifactServer server) =>
        server.Bucket is { } bucket
            ? await bucket.PendingMultipartUploadsAsync() > 0
            : Directory.Exists(server.LocalRoot)
              && Directory.EnumerateFiles(server.LocalRoot, "*.flightdeck-upload", SearchOption.AllDirectories).Any();

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the server");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
