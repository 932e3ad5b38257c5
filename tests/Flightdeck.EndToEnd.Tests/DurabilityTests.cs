using Flightdeck.EndToEnd.Tests.Infrastructure;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.EndToEnd.Tests;

/// <summary>
/// A server killed with SIGKILL in the middle of ingest loses nothing it acknowledged: after several kills and
/// restarts on the same store, every acknowledged batch is stored, once, and nothing that was never sent appears.
/// </summary>
public sealed class DurabilityTests
{
    private const int Writers = 4;
    private const int Kills = 5;

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Acknowledged_batches_survive_SIGKILL_mid_ingest(string backend)
    {
        var workDir = Directory.CreateTempSubdirectory("flightdeck-e2e-").FullName;
        var store = await StoreBackend.CreateAsync(backend, workDir);
        var artifacts = Path.Combine(workDir, "artifacts");
        var random = new Random(4242);

        var server = await ServerProcess.StartAsync(store, artifacts);
        try
        {
            var client = new Mlflow(server.BaseAddress);
            var runIds = new List<string>();
            for (var i = 0; i < Writers; i++)
            {
                runIds.Add(await client.CreateRunAsync());
            }

            var writers = runIds.Select(id => new BatchWriter(id, () => Volatile.Read(ref client))).ToList();
            using var stop = new CancellationTokenSource();
            var ingest = writers.Select(w => Task.Run(() => w.RunAsync(stop.Token), CancellationToken.None)).ToList();
            try
            {
                for (var kill = 0; kill < Kills; kill++)
                {
                    // Kill only once this incarnation has acknowledged something, so every kill lands mid-ingest.
                    var ackedBefore = writers.Sum(w => w.AcknowledgedCount);
                    await Task.Delay(random.Next(300, 1200));
                    await WaitUntilAsync(() => writers.Sum(w => w.AcknowledgedCount) > ackedBefore + Writers, TimeSpan.FromSeconds(30));
                    await server.DisposeAsync(); // SIGKILL

                    server = await ServerProcess.StartAsync(store, artifacts);
                    Volatile.Write(ref client, new Mlflow(server.BaseAddress));
                }

                await Task.Delay(500);
            }
            finally
            {
                await stop.CancelAsync();
                await Task.WhenAll(ingest);
            }

            foreach (var writer in writers)
            {
                await VerifyAsync(client, writer);
            }

            Assert.True(writers.Sum(w => w.Acknowledged.Count) >= Writers * Kills, "too few batches were acknowledged to mean anything");
            Assert.True(writers.Sum(w => w.Interrupted) > 0, "no request was in flight at any kill");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static async Task VerifyAsync(Mlflow client, BatchWriter writer)
    {
        Assert.Empty(writer.ServerErrors);
        var steps = await client.HistoryStepsAsync(writer.RunId, BatchWriter.MetricKey);
        var stored = steps.ToHashSet();
        Assert.True(stored.Count == steps.Count, $"run {writer.RunId}: {steps.Count - stored.Count} metric points are stored twice");

        var acknowledged = writer.Acknowledged.SelectMany(BatchWriter.StepsOf).ToHashSet();
        var lost = acknowledged.Except(stored).Order().ToList();
        Assert.True(lost.Count == 0, $"run {writer.RunId}: {lost.Count} acknowledged points lost, first {string.Join(", ", lost.Take(10))}");

        var sent = writer.Sent.SelectMany(BatchWriter.StepsOf).ToHashSet();
        Assert.Empty(stored.Except(sent));

        // A batch is one transaction: its points are all there or none is.
        var partial = stored.GroupBy(s => s / BatchWriter.PointsPerBatch).Where(g => g.Count() != BatchWriter.PointsPerBatch).Select(g => g.Key).ToList();
        Assert.True(partial.Count == 0, $"run {writer.RunId}: batches stored in part: {string.Join(", ", partial.Take(10))}");

        var run = await client.GetRunAsync(writer.RunId);
        var parameters = run.GetProperty("data").GetProperty("params").EnumerateArray()
            .ToDictionary(p => p.GetProperty("key").GetString()!, p => p.GetProperty("value").GetString()!);
        foreach (var batch in writer.Acknowledged)
        {
            Assert.True(parameters.TryGetValue(BatchWriter.ParamKey(batch), out var value) && value == batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"run {writer.RunId}: param of acknowledged batch {batch} missing");
        }

        var latest = run.GetProperty("data").GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("key").GetString() == BatchWriter.MetricKey);
        Assert.Equal(stored.Max(), latest.GetProperty("step").GetInt64());
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "ingest made no progress");
            await Task.Delay(20);
        }
    }
}
