using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Flightdeck.EndToEnd.Tests.Infrastructure;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.EndToEnd.Tests;

/// <summary>
/// Two server processes on one PostgreSQL database, as behind a load balancer: they migrate an empty database at the
/// same moment, then serve interleaved writers on shared runs without deadlock, loss or duplication.
/// </summary>
public sealed class TwoServersTests
{
    private const int Writers = 6;
    private const int Iterations = 30;
    private const int SharedRuns = 3;

    [Fact]
    public async Task Servers_started_together_on_an_empty_database_all_migrate_it()
    {
        for (var round = 0; round < 3; round++)
        {
            var workDir = Directory.CreateTempSubdirectory("flightdeck-e2e-").FullName;
            var store = await StoreBackend.CreateAsync(StoreBackend.Postgres, workDir);
            var starts = Enumerable.Range(0, 3).Select(_ => ServerProcess.StartAsync(store, Path.Combine(workDir, "artifacts"))).ToList();
            try
            {
                foreach (var server in await Task.WhenAll(starts))
                {
                    using var client = new Mlflow(server.BaseAddress);
                    await client.CreateRunAsync();
                }
            }
            finally
            {
                await DisposeStartedAsync(starts);
            }
        }
    }

    [Fact]
    public async Task Interleaved_writers_through_two_servers_lose_and_duplicate_nothing()
    {
        var workDir = Directory.CreateTempSubdirectory("flightdeck-e2e-").FullName;
        var store = await StoreBackend.CreateAsync(StoreBackend.Postgres, workDir);
        var artifacts = Path.Combine(workDir, "artifacts");
        var starts = new[] { ServerProcess.StartAsync(store, artifacts), ServerProcess.StartAsync(store, artifacts) };
        try
        {
            await Task.WhenAll(starts);
        }
        catch
        {
            await DisposeStartedAsync(starts);
            throw;
        }

        await using var serverA = await starts[0];
        await using var serverB = await starts[1];
        using var a = new Mlflow(serverA.BaseAddress);
        using var b = new Mlflow(serverB.BaseAddress);
        Mlflow[] servers = [a, b];

        var runs = new List<string>();
        for (var i = 0; i < SharedRuns; i++)
        {
            runs.Add(await servers[i % 2].CreateRunAsync());
        }

        var log = new WriteLog();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteAsync(w, servers, runs, log)));
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(90)); // a deadlock shows up as this timeout

        Assert.True(log.Failures.IsEmpty, string.Join("\n", log.Failures.Take(20)));
        foreach (var (runId, index) in runs.Select((r, i) => (r, i)))
        {
            var viewA = await a.GetRunAsync(runId);
            var viewB = await b.GetRunAsync(runId);
            Assert.Equal(Canonical(viewA), Canonical(viewB));
            await VerifyRunAsync(a, runId, index, viewA, log);
        }
    }

    /// <summary>Kills every server that did start, whether or not its siblings did.</summary>
    private static async Task DisposeStartedAsync(IEnumerable<Task<ServerProcess>> starts)
    {
        foreach (var start in starts)
        {
            try
            {
                await (await start).DisposeAsync();
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                // That one never started; its own failure is the one reported.
            }
        }
    }

    private static async Task WriteAsync(int writer, Mlflow[] servers, List<string> runs, WriteLog log)
    {
        for (var i = 0; i < Iterations; i++)
        {
            var runIndex = i % SharedRuns;
            var runId = runs[runIndex];
            Mlflow Next(int k) => servers[(writer + i + k) % 2];

            await log.ExpectOkAsync(Next(0), "runs/log-batch", new
            {
                run_id = runId,
                metrics = new[] { new { key = $"w{writer}", value = (double)i, timestamp = 1_000 + i, step = (long)i } },
                @params = new[] { new { key = $"w{writer}.p{i}", value = $"{i}" } },
                tags = new[] { new { key = "shared", value = $"w{writer}-{i}" } },
            }, () => log.Batches.Add((runIndex, writer, i)));

            // Every writer logs the same param with the same value: idempotent, so always 200, however the inserts race.
            await log.ExpectOkAsync(Next(1), "runs/log-parameter", new { run_id = runId, key = "same", value = "v" }, () => { });
            await log.ExpectOkAsync(Next(0), "runs/log-metric",
                new { run_id = runId, key = "common", value = (double)(writer * 1000 + i), timestamp = 1, step = (long)(writer * 1000 + i) },
                () => log.Common.Add((runIndex, writer * 1000L + i)));

            // All writers race to set one param to different values: exactly one wins, the rest get a 400, never a 5xx.
            var (status, body) = await Next(1).PostAsync("runs/log-parameter", new { run_id = runId, key = $"contested{i}", value = $"w{writer}" });
            if (status == HttpStatusCode.OK)
            {
                log.ContestWinners.Add((runIndex, i, $"w{writer}"));
            }
            else if (status != HttpStatusCode.BadRequest)
            {
                log.Failures.Add($"contested{i} by w{writer}: {(int)status} {body}");
            }
        }
    }

    private static async Task VerifyRunAsync(Mlflow client, string runId, int runIndex, JsonElement run, WriteLog log)
    {
        var parameters = run.GetProperty("data").GetProperty("params").EnumerateArray()
            .Select(p => (Key: p.GetProperty("key").GetString()!, Value: p.GetProperty("value").GetString()!)).ToList();
        Assert.Equal(parameters.Count, parameters.Select(p => p.Key).Distinct().Count());
        var byKey = parameters.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("v", byKey["same"]);

        foreach (var (_, writer, i) in log.Batches.Where(b => b.Run == runIndex))
        {
            Assert.Equal($"{i}", byKey[$"w{writer}.p{i}"]);
        }

        for (var writer = 0; writer < Writers; writer++)
        {
            var expected = log.Batches.Where(b => b.Run == runIndex && b.Writer == writer).Select(b => (long)b.Iteration).Order().ToList();
            Assert.Equal(expected, (await client.HistoryStepsAsync(runId, $"w{writer}")).Order().ToList());
        }

        var common = await client.HistoryStepsAsync(runId, "common");
        Assert.Equal(log.Common.Where(c => c.Run == runIndex).Select(c => c.Step).Order(), common.Order());
        var latest = run.GetProperty("data").GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("key").GetString() == "common");
        Assert.Equal(common.Max(), latest.GetProperty("step").GetInt64());

        foreach (var contest in log.ContestWinners.Where(c => c.Run == runIndex).GroupBy(c => c.Iteration))
        {
            Assert.True(contest.Count() == 1, $"contested{contest.Key}: {contest.Count()} writers were told they set it");
            Assert.Equal(contest.Single().Writer, byKey[$"contested{contest.Key}"]);
        }

        var tags = run.GetProperty("data").GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("key").GetString()!).ToList();
        Assert.Equal(tags.Count, tags.Distinct().Count());
    }

    /// <summary>The run as a stable string, so the two servers' views can be compared.</summary>
    private static string Canonical(JsonElement run)
    {
        var data = run.GetProperty("data");
        string Sorted(string name) => string.Join(";", data.GetProperty(name).EnumerateArray().Select(e => e.GetRawText()).Order(StringComparer.Ordinal));
        return $"{run.GetProperty("info").GetRawText()}|{Sorted("metrics")}|{Sorted("params")}|{Sorted("tags")}";
    }

    private sealed class WriteLog
    {
        public ConcurrentBag<string> Failures { get; } = [];

        public ConcurrentBag<(int Run, int Writer, int Iteration)> Batches { get; } = [];

        public ConcurrentBag<(int Run, long Step)> Common { get; } = [];

        public ConcurrentBag<(int Run, int Iteration, string Writer)> ContestWinners { get; } = [];

        public async Task ExpectOkAsync(Mlflow server, string route, object body, Action onOk)
        {
            var (status, json) = await server.PostAsync(route, body);
            if (status == HttpStatusCode.OK)
            {
                onOk();
            }
            else
            {
                Failures.Add($"{route} via {server.BaseAddress}: {(int)status} {json}");
            }
        }
    }
}
