using Flightdeck.Server.Tests.Infrastructure;
using static Flightdeck.Server.Tests.Tracking.RunsTests;

namespace Flightdeck.Server.Tests.Storage;

public sealed class SqliteShutdownTests
{
    /// <summary>The database files this process still has open, read from /proc (Linux).</summary>
    private static int OpenHandlesUnder(string folder) =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
            .Select(fd => { try { return fd.LinkTarget; } catch (IOException) { return null; } })
            .Count(target => target is not null && target.StartsWith(folder, StringComparison.Ordinal));

    [Fact]
    public async Task A_stopped_server_leaves_no_handle_on_its_database()
    {
        var server = await TestServer.StartAsync(StoreBackend.Sqlite);
        var folder = server.WorkDir;
        var runId = await CreateRunAsync(server);
        // Metric rows go through the writer's kept SQLite statements; history through the raw reader.
        await server.PostOkAsync("runs/log-batch", new { run_id = runId, metrics = new[] { new { key = "m", value = 1.0, timestamp = 1L, step = 0L } } });
        await server.GetOkAsync($"metrics/get-history?run_id={runId}&metric_key=m");
        Assert.True(OpenHandlesUnder(folder) > 0);

        await server.DisposeAsync();

        Assert.Equal(0, OpenHandlesUnder(folder));
    }
}
