using System.Text;
using System.Text.Json;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Robustness;

/// <summary>
/// Seeded filter and order_by garbage, SQL-injection attempts among it, against runs/search and experiments/search on
/// both engines: every answer is a 200 or a 400 with an error body, and the store is never touched.
/// </summary>
public sealed class SearchGrammarSweepTests
{
    private const int Filters = 250;

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Filter_and_order_by_garbage_is_a_200_or_a_400_and_reads_only(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await Tracking.RunsTests.CreateRunAsync(server);
        await server.PostOkAsync("runs/log-batch", new
        {
            run_id = runId,
            metrics = new[] { new { key = "m", value = 1.0, timestamp = 1, step = 0 } },
            @params = new[] { new { key = "p", value = "v" } },
            tags = new[] { new { key = "t", value = "v" } },
        });
        await using var runner = await FuzzRunner.StartAsync(server);
        var random = new Random(1729);

        var filters = SearchGarbage.KnownHostileFilters.Concat(Enumerable.Range(0, Filters).Select(_ => SearchGarbage.Filter(random)));
        foreach (var filter in filters)
        {
            var orderBy = new[] { SearchGarbage.OrderBy(random) };
            await runner.SendAsync(Post("runs/search", new { experiment_ids = new[] { "0" }, filter, order_by = orderBy, max_results = 5 }, filter));
            await runner.SendAsync(Post("experiments/search", new { filter, order_by = orderBy, max_results = 5 }, filter));
            await runner.SendAsync(new FuzzCase(filter, "GET",
                $"api/2.0/mlflow/experiments/search?filter={Uri.EscapeDataString(Cap(filter))}&order_by={Uri.EscapeDataString(orderBy[0])}", null,
                MustFail: false));
        }

        foreach (var orderBy in SearchGarbage.KnownHostileOrderBys)
        {
            await runner.SendAsync(Post("runs/search", new { experiment_ids = new[] { "0" }, order_by = new[] { orderBy } }, orderBy));
        }

        Assert.True(runner.Failures.Count == 0, $"{runner.Failures.Count} of {runner.Sent} failed:\n" + string.Join("\n", runner.Failures.Take(30)));

        // The run is still there and still found: no injected statement dropped or emptied anything.
        var found = await server.PostOkAsync("runs/search", new { experiment_ids = new[] { "0" }, filter = "params.p = 'v'" });
        Assert.Equal(runId, found.GetProperty("runs")[0].GetProperty("info").GetProperty("run_id").GetString());
    }

    private static FuzzCase Post(string route, object body, string description) =>
        new(Cap(description), "POST", "api/2.0/mlflow/" + route, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body)), MustFail: false);

    /// <summary>Query strings stay under Kestrel's request-line limit; bodies carry the long filters.</summary>
    private static string Cap(string text) => text.Length <= 2000 ? text : text[..2000];
}
