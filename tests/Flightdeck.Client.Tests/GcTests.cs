using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.Contracts;

namespace Flightdeck.Client.Tests;

public sealed class GcTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Gc_purges_deleted_runs_with_their_artifacts_and_respects_the_retention()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        string kept, purged;
        await using (var run = await client.StartRunAsync("gc", cancellationToken: Ct))
        {
            purged = run.RunId;
            await client.UploadArtifactAsync(run.RunId, new MemoryStream(new byte[16]), "model.bin", cancellationToken: Ct);
        }

        await using (var run = await client.StartRunAsync("gc", cancellationToken: Ct))
        {
            kept = run.RunId;
        }

        await client.DeleteRunAsync(purged, Ct);

        var tooRecent = await client.GcAsync(TimeSpan.FromDays(30), Ct);
        var result = await client.GcAsync(TimeSpan.Zero, Ct);

        Assert.Empty(tooRecent.DeletedRunIds);
        Assert.Equal([purged], result.DeletedRunIds);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.GetRunAsync(purged, Ct));
        Assert.Equal(RunStatus.Finished, (await client.GetRunAsync(kept, Ct)).Run.Info.Status);
    }
}
