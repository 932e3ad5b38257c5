using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;
using static Flightdeck.Server.Tests.Tracking.RunsTests;

namespace Flightdeck.Server.Tests.Tracking;

public sealed class SearchApiTests
{
    private static List<string> RunIds(JsonElement body) =>
        body.TryGetProperty("runs", out var runs) ? runs.EnumerateArray().Select(r => r.GetProperty("info").GetProperty("run_id").GetString()!).ToList() : [];

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task View_types_follow_delete_and_restore(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var kept = await CreateRunAsync(server);
        var deleted = await CreateRunAsync(server);
        await server.PostOkAsync("runs/delete", new { run_id = deleted });

        async Task<List<string>> SearchAsync(string view) =>
            RunIds(await server.PostOkAsync("runs/search", new { experiment_ids = new[] { "0" }, run_view_type = view }));

        Assert.Equal([kept], await SearchAsync("ACTIVE_ONLY"));
        Assert.Equal([deleted], await SearchAsync("DELETED_ONLY"));
        Assert.Equal(2, (await SearchAsync("ALL")).Count);
        await server.PostOkAsync("runs/restore", new { run_id = deleted });
        Assert.Equal(2, (await SearchAsync("ACTIVE_ONLY")).Count);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Runs_with_equal_start_time_page_in_run_id_order(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await CreateRunAsync(server, extra: new { experiment_id = "0", start_time = 1000L }));
        }

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await server.PostOkAsync("runs/search", new { experiment_ids = new[] { "0" }, max_results = 4, page_token = token });
            seen.AddRange(RunIds(page));
            token = page.TryGetProperty("next_page_token", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        Assert.Equal(ids.Order(StringComparer.Ordinal), seen);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Metric_and_param_filters_ordered_by_metric(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runs = new List<(string Id, double Auc, string Trainer)>();
        foreach (var (auc, trainer) in new[] { (0.7, "fasttree"), (0.9, "fasttree"), (0.8, "sdca"), (0.95, "fasttree") })
        {
            var id = await CreateRunAsync(server);
            await server.PostOkAsync("runs/log-batch", new
            {
                run_id = id,
                metrics = new[] { new { key = "auc", value = auc, timestamp = 1L, step = 0L } },
                @params = new[] { new { key = "trainer", value = trainer } },
            });
            runs.Add((id, auc, trainer));
        }

        var found = RunIds(await server.PostOkAsync("runs/search", new
        {
            experiment_ids = new[] { "0" },
            filter = "metrics.auc > 0.75 and params.trainer = 'fasttree'",
            order_by = new[] { "metrics.auc DESC" },
        }));

        Assert.Equal(runs.Where(r => r.Auc > 0.75 && r.Trainer == "fasttree").OrderByDescending(r => r.Auc).Select(r => r.Id), found);
    }

    [Fact]
    public async Task Oversized_max_results_and_bad_filters_are_400()
    {
        await using var server = await TestServer.StartAsync();

        using var tooMany = await server.PostAsync("runs/search", new { experiment_ids = new[] { "0" }, max_results = 123456789 });
        await TestServer.ReadErrorAsync(tooMany, 400, ErrorCode.InvalidParameterValue);
        using var orClause = await server.PostAsync("runs/search", new { experiment_ids = new[] { "0" }, filter = "metrics.a > 1 OR metrics.b < 2" });
        await TestServer.ReadErrorAsync(orClause, 400, ErrorCode.InvalidParameterValue);
        using var badToken = await server.PostAsync("runs/search", new { experiment_ids = new[] { "0" }, page_token = "not base64!" });
        await TestServer.ReadErrorAsync(badToken, 400, ErrorCode.InvalidParameterValue);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Experiments_search_filters_by_name_and_pages(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        foreach (var name in new[] { "ab", "a", "Abc", "zeta" })
        {
            await server.PostOkAsync("experiments/create", new { name });
        }

        var like = (await server.PostOkAsync("experiments/search", new { filter = "name LIKE 'a%'", order_by = new[] { "name DESC" } }))
            .GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Equal(["ab", "a"], like);

        var first = await server.GetOkAsync("experiments/search?max_results=1");
        Assert.Single(first.GetProperty("experiments").EnumerateArray());
        Assert.True(first.TryGetProperty("next_page_token", out _));
        var all = await server.GetOkAsync("experiments/search?max_results=10");
        Assert.Equal(5, all.GetProperty("experiments").GetArrayLength());
        Assert.False(all.TryGetProperty("next_page_token", out _));
    }

    /// <summary>Incompressible text: PostgreSQL compresses index entries, so a repeated character would hide the limit.</summary>
    private static string RandomText(int length) =>
        string.Concat(Enumerable.Range(0, (length / 32) + 1).Select(_ => Guid.NewGuid().ToString("N")))[..length];

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Values_too_long_for_an_index_entry_are_stored_and_found(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        var otherId = await CreateRunAsync(server);
        var longParam = RandomText(6000);
        var longTag = RandomText(5000);
        await server.PostOkAsync("runs/log-batch", new
        {
            run_id = runId,
            @params = new[] { new { key = "long", value = longParam }, new { key = "short", value = "a" } },
            tags = new[] { new { key = "long", value = longTag } },
        });
        await server.PostOkAsync("runs/log-batch", new { run_id = otherId, @params = new[] { new { key = "short", value = "b" } } });

        async Task<List<string>> SearchAsync(string filter) =>
            RunIds(await server.PostOkAsync("runs/search", new { experiment_ids = new[] { "0" }, filter }));

        Assert.Equal([runId], await SearchAsync($"params.long = '{longParam}'"));
        Assert.Equal([runId], await SearchAsync($"tags.long = '{longTag}'"));
        Assert.Equal([runId], await SearchAsync("params.short = 'a'"));
        Assert.Equal([otherId], await SearchAsync("params.short = 'b'"));

        var note = RandomText(4000);
        await server.PostOkAsync("registered-models/create", new { name = "long-tags", tags = new[] { new { key = "note", value = note } } });
        var models = await server.GetOkAsync("registered-models/search?filter=" + Uri.EscapeDataString($"tags.note = '{note}'"));
        Assert.Equal("long-tags", models.GetProperty("registered_models")[0].GetProperty("name").GetString());
    }
}
