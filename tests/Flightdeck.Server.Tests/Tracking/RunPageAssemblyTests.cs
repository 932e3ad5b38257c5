using System.Globalization;
using System.Text.Json;
using Flightdeck.Server.Tests.Infrastructure;
using static Flightdeck.Server.Tests.Tracking.RunsTests;

namespace Flightdeck.Server.Tests.Tracking;

/// <summary>
/// A search page's runs are assembled from one read of all their children: each run must get exactly its own params,
/// tags, metrics and dataset inputs, sorted by key, on large pages and across page boundaries.
/// </summary>
public sealed class RunPageAssemblyTests
{
    private const int RunCount = 130;

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Every_run_of_a_large_page_gets_exactly_its_own_children(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var experimentId = (await server.PostOkAsync("experiments/create", new { name = "assembly" })).GetProperty("experiment_id").GetString()!;
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        var counts = new Dictionary<string, (int Children, int Inputs)>(StringComparer.Ordinal);
        for (var i = 0; i < RunCount; i++)
        {
            var runId = await CreateRunAsync(server, extra: new { experiment_id = experimentId, start_time = 1000L + i });
            // Runs differ in how many children they have (some none at all), and keys arrive out of order.
            var count = i % 4;
            await server.PostOkAsync("runs/log-batch", new
            {
                run_id = runId,
                metrics = Enumerable.Range(0, count + 1).Reverse().Select(k => new
                {
                    key = $"m{k}", value = k == 1 && i % 8 == 1 ? "NaN" : (object)(i + k / 10.0), timestamp = 5L, step = (long)i,
                }),
                @params = Enumerable.Range(0, count).Reverse().Select(k => new { key = $"p{k}", value = $"{runId}-p{k}" }),
                tags = Enumerable.Range(0, count).Select(k => new { key = k % 2 == 0 ? $"z{k}" : $"a{k}", value = $"{runId}-t{k}" }),
            });
            if (i % 5 == 0)
            {
                await server.PostOkAsync("runs/log-inputs", new
                {
                    run_id = runId,
                    datasets = new[]
                    {
                        new
                        {
                            tags = new[] { new { key = "mlflow.data.context", value = $"ctx-{i}" } },
                            dataset = new { name = $"data-{i % 3}", digest = "d1", source_type = "local", source = "file:///x", schema = (string?)null, profile = "{}" },
                        },
                    },
                });
            }

            expected[runId] = Canonical(await GetRunAsync(server, runId));
            counts[runId] = (count, i % 5 == 0 ? 1 : 0);
        }

        // One page of every run, then pages of 47 (a boundary inside the runs with inputs).
        var all = await SearchAsync(server, experimentId, 1000, null);
        Assert.Equal(RunCount, all.Runs.Count);
        Assert.Null(all.Token);
        foreach (var run in all.Runs)
        {
            AssertOwnChildren(run, expected, counts);
        }

        var paged = new List<JsonElement>();
        string? token = null;
        do
        {
            var page = await SearchAsync(server, experimentId, 47, token);
            paged.AddRange(page.Runs);
            token = page.Token;
        }
        while (token is not null);

        Assert.Equal(all.Runs.Select(RunId), paged.Select(RunId));
        foreach (var run in paged)
        {
            AssertOwnChildren(run, expected, counts);
        }

        // Ordered by a metric: the walked page assembles the same runs.
        var byMetric = await server.PostOkAsync("runs/search",
            new { experiment_ids = new[] { experimentId }, order_by = new[] { "metrics.m0 DESC" }, max_results = 100 });
        var walked = byMetric.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(100, walked.Count);
        foreach (var run in walked)
        {
            AssertOwnChildren(run, expected, counts);
        }
    }

    private static void AssertOwnChildren(JsonElement run, Dictionary<string, string> expected,
        Dictionary<string, (int Children, int Inputs)> counts)
    {
        var runId = RunId(run);
        Assert.Equal(expected[runId], Canonical(run));
        var (children, inputs) = counts[runId];
        var data = run.GetProperty("data");
        foreach (var (list, count) in new[] { ("params", children), ("tags", children), ("metrics", children + 1) })
        {
            var items = data.TryGetProperty(list, out var array) ? array.EnumerateArray().ToList() : [];
            // Tags hold mlflow.runName and mlflow.user besides the logged ones.
            var logged = items.Where(p => !p.GetProperty("key").GetString()!.StartsWith("mlflow.", StringComparison.Ordinal)).ToList();
            Assert.Equal(count, logged.Count);
            var keys = items.Select(p => p.GetProperty("key").GetString()!).ToList();
            Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
            if (list != "metrics")
            {
                Assert.All(logged, p => Assert.StartsWith(runId, p.GetProperty("value").GetString(), StringComparison.Ordinal));
            }
        }

        var datasets = run.GetProperty("inputs").TryGetProperty("dataset_inputs", out var di) ? di.GetArrayLength() : 0;
        Assert.Equal(inputs, datasets);
    }

    private static string RunId(JsonElement run) => run.GetProperty("info").GetProperty("run_id").GetString()!;

    /// <summary>The run as runs/get wrote it, for comparing JSON text.</summary>
    private static string Canonical(JsonElement run) => JsonSerializer.Serialize(run);

    private static async Task<(List<JsonElement> Runs, string? Token)> SearchAsync(TestServer server, string experimentId, int maxResults,
        string? token)
    {
        var body = await server.PostOkAsync("runs/search", new
        {
            experiment_ids = new[] { experimentId },
            max_results = maxResults.ToString(CultureInfo.InvariantCulture),
            page_token = token,
        });
        var runs = body.TryGetProperty("runs", out var items) ? items.EnumerateArray().ToList() : [];
        return (runs, body.TryGetProperty("next_page_token", out var next) ? next.GetString() : null);
    }
}
