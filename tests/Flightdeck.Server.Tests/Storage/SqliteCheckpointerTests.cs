using Flightdeck.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using static Flightdeck.Server.Tests.Tracking.RunsTests;

namespace Flightdeck.Server.Tests.Storage;

public sealed class SqliteCheckpointerTests
{
    /// <summary>
    /// The server turns SQLite's automatic checkpoints off and checkpoints in the background instead. Under constant
    /// writes that must still bring the write-ahead log back to its start (a RESTART checkpoint), or the log would hold
    /// every frame written since the server started.
    /// </summary>
    [Fact]
    public async Task Under_constant_writes_the_write_ahead_log_restarts_instead_of_growing()
    {
        await using var server = await TestServer.StartAsync(StoreBackend.Sqlite);
        var runId = await CreateRunAsync(server);
        var writers = Enumerable.Range(0, 4).Select(async writer =>
        {
            var until = DateTime.UtcNow.AddSeconds(3);
            for (var step = 0L; DateTime.UtcNow < until; step++)
            {
                var metrics = Enumerable.Range(0, 100)
                    .Select(k => new { key = $"w{writer}_m{k}", value = (double)step, timestamp = 1L, step })
                    .ToArray();
                await server.PostOkAsync("runs/log-batch", new { run_id = runId, metrics });
            }
        });
        await Task.WhenAll(writers);
        var rowsWritten = (await server.GetOkAsync($"runs/get?run_id={runId}")).GetProperty("run").GetProperty("data")
            .GetProperty("metrics").GetArrayLength();
        Assert.Equal(400, rowsWritten);

        await Task.Delay(TimeSpan.FromSeconds(2)); // a few checkpointer ticks (every 500 ms)
        await server.PostOkAsync("runs/log-batch", new { run_id = runId, metrics = new[] { new { key = "last", value = 1.0, timestamp = 1L, step = 0L } } });

        var (logFrames, copiedFrames) = await PassiveCheckpointAsync(server.Options.BackendStoreUri["sqlite://".Length..]);
        Assert.InRange(logFrames, 1, 100); // only the last small batch, written after the restart
        Assert.Equal(logFrames, copiedFrames);
    }

    private static async Task<(long Log, long Copied)> PassiveCheckpointAsync(string databasePath)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetInt64(1), reader.GetInt64(2));
    }
}
