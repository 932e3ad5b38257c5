using Flightdeck.Server.Storage;
using Flightdeck.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Flightdeck.Server.Tests.Tracking.RunsTests;

namespace Flightdeck.Server.Tests.Storage;

public sealed class SqliteCheckpointerTests
{
    /// <summary>
    /// The server turns SQLite's automatic checkpoints off and checkpoints in the background instead. Under constant
    /// writes that must still bring a log past the restart threshold back to its start (a RESTART checkpoint in a pause
    /// of the writer), or the log would hold every frame written since the server started.
    /// </summary>
    [Fact]
    public async Task Under_constant_writes_a_log_past_the_threshold_restarts_instead_of_growing()
    {
        await using var server = await TestServer.StartAsync(StoreBackend.Sqlite,
            services: s => s.AddSingleton(new SqliteCheckpointPolicy(RestartAtFrames: 200)));
        var runId = await CreateRunAsync(server);
        await WriteConstantlyAsync(server, runId, TimeSpan.FromSeconds(3));
        Assert.True(Checkpointer(server).WriterPauses > 0, "the writer was never paused to restart the log");

        await Task.Delay(TimeSpan.FromSeconds(2)); // a few checkpointer ticks (every 500 ms)
        await LogOneMetricAsync(server, runId);
        var (logFrames, copiedFrames) = await PassiveCheckpointAsync(server);
        Assert.InRange(logFrames, 1, 100); // only the last small batch, written after the restart
        Assert.Equal(logFrames, copiedFrames);
    }

    /// <summary>
    /// Each pause of the writer stalls every write behind two fsyncs, so below the threshold the checkpointer only
    /// copies beside the writers; the log still starts over, by itself, with the first commit after the writes pause.
    /// </summary>
    [Fact]
    public async Task Below_the_threshold_the_writer_is_never_paused_and_the_log_restarts_once_writes_pause()
    {
        await using var server = await TestServer.StartAsync(StoreBackend.Sqlite);
        var runId = await CreateRunAsync(server);
        // 40 requests of 100 new points in all: a few thousand pages of log (a 100-key request dirties a leaf per key).
        await WriteConstantlyAsync(server, runId, TimeSpan.FromSeconds(30), requestsPerWriter: 10);
        var logAfterWrites = (await PassiveCheckpointAsync(server)).Log;
        Assert.InRange(logAfterWrites, 1, SqliteCheckpointPolicy.Default.RestartAtFrames - 1);

        await Task.Delay(TimeSpan.FromSeconds(2));
        await LogOneMetricAsync(server, runId);
        var (logFrames, copiedFrames) = await PassiveCheckpointAsync(server);
        Assert.InRange(logFrames, 1, 100);
        Assert.Equal(logFrames, copiedFrames);
        Assert.Equal(0, Checkpointer(server).WriterPauses);
    }

    private static SqliteCheckpointer Checkpointer(TestServer server) =>
        server.Services.GetServices<IHostedService>().OfType<SqliteCheckpointer>().Single();

    /// <summary>4 writers logging 100 metrics a request to one run, back to back, for <paramref name="duration"/> (or as many requests).</summary>
    private static async Task WriteConstantlyAsync(TestServer server, string runId, TimeSpan duration, int requestsPerWriter = int.MaxValue)
    {
        var writers = Enumerable.Range(0, 4).Select(async writer =>
        {
            var until = DateTime.UtcNow + duration;
            for (var step = 0L; step < requestsPerWriter && DateTime.UtcNow < until; step++)
            {
                var metrics = Enumerable.Range(0, 100)
                    .Select(k => new { key = $"w{writer}_m{k}", value = (double)step, timestamp = 1L, step })
                    .ToArray();
                await server.PostOkAsync("runs/log-batch", new { run_id = runId, metrics });
            }
        });
        await Task.WhenAll(writers);
        var latestMetrics = (await server.GetOkAsync($"runs/get?run_id={runId}")).GetProperty("run").GetProperty("data")
            .GetProperty("metrics").GetArrayLength();
        Assert.Equal(400, latestMetrics);
    }

    private static Task LogOneMetricAsync(TestServer server, string runId) =>
        server.PostOkAsync("runs/log-batch", new { run_id = runId, metrics = new[] { new { key = "last", value = 1.0, timestamp = 1L, step = 0L } } });

    /// <summary>The log's length and how much of it is copied, from a passive checkpoint (retried while the server's own runs).</summary>
    private static async Task<(long Log, long Copied)> PassiveCheckpointAsync(TestServer server)
    {
        var databasePath = server.Options.BackendStoreUri["sqlite://".Length..];
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync();
        for (var attempt = 0; ; attempt++)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            var (busy, log, copied) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            if (busy == 0 || attempt == 100)
            {
                return (log, copied);
            }

            await Task.Delay(20);
        }
    }
}
