using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Search;

/// <summary>Run ordering executed against a real store, on SQLite and PostgreSQL.</summary>
public sealed class RunSearchOrderTests
{
    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Default_order_is_newest_first_then_run_id(string backend)
    {
        var experiment = await (await SearchStore.ForAsync(backend)).NewExperimentAsync();
        await experiment.AddRunAsync("r3", startTime: 5);
        await experiment.AddRunAsync("r1", startTime: 5);
        await experiment.AddRunAsync("r0", startTime: 1);
        await experiment.AddRunAsync("r2", startTime: 9);

        Assert.Equal(["r2", "r1", "r3", "r0"], await experiment.SearchAsync(null));
        Assert.Equal(["r0", "r1", "r3", "r2"], await experiment.SearchAsync("", "start_time"));
        Assert.Equal(["r0", "r1", "r2", "r3"], await experiment.SearchAsync(null, "attributes.run_id ASC"));
        Assert.Equal(["r3", "r2", "r1", "r0"], await experiment.SearchAsync(null, "run_id DESC"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Metric_order_puts_NaN_then_missing_last_in_both_directions(string backend)
    {
        var experiment = await (await SearchStore.ForAsync(backend)).NewExperimentAsync();
        var values = new[]
        {
            ("pinf", double.PositiveInfinity), ("nan", double.NaN), ("one", 1.0), ("ninf", double.NegativeInfinity),
            ("zero", 0.0), ("minus", -2.5),
        };
        foreach (var (label, value) in values)
        {
            await experiment.AddRunAsync(label);
            await experiment.SetMetricAsync(label, "m", value);
        }

        await experiment.AddRunAsync("missing");

        Assert.Equal(["ninf", "minus", "zero", "one", "pinf", "nan", "missing"], await experiment.SearchAsync(null, "metrics.m"));
        Assert.Equal(["ninf", "minus", "zero", "one", "pinf", "nan", "missing"], await experiment.SearchAsync(null, "metrics.m ASC"));
        Assert.Equal(["pinf", "one", "zero", "minus", "ninf", "nan", "missing"], await experiment.SearchAsync(null, "metric.`m` desc"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Param_and_tag_order_is_bytewise_with_missing_last(string backend)
    {
        var experiment = await (await SearchStore.ForAsync(backend)).NewExperimentAsync();
        foreach (var (label, value) in new[] { ("b", "b"), ("B", "B"), ("a", "a"), ("A", "A"), ("ten", "10"), ("nine", "9") })
        {
            await experiment.AddRunAsync(label);
            await experiment.SetParamAsync(label, "p", value);
            await experiment.SetTagAsync(label, "t", value);
        }

        await experiment.AddRunAsync("missing");

        Assert.Equal(["ten", "nine", "A", "B", "a", "b", "missing"], await experiment.SearchAsync(null, "params.p"));
        Assert.Equal(["b", "a", "B", "A", "nine", "ten", "missing"], await experiment.SearchAsync(null, "params.p DESC"));
        Assert.Equal(["b", "a", "B", "A", "nine", "ten", "missing"], await experiment.SearchAsync(null, "tags.t DESC"));
        Assert.Equal(["ten", "nine", "A", "B", "a", "b", "missing"], await experiment.SearchAsync(null, "tag.\"t\" ASC"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Attribute_order_is_bytewise_and_missing_end_time_is_last(string backend)
    {
        var experiment = await (await SearchStore.ForAsync(backend)).NewExperimentAsync();
        await experiment.AddRunAsync("r1", name: "abc", endTime: 30);
        await experiment.AddRunAsync("r2", name: "Abd", endTime: null);
        await experiment.AddRunAsync("r3", name: "ab", endTime: 10);

        Assert.Equal(["r2", "r3", "r1"], await experiment.SearchAsync(null, "run_name"));
        Assert.Equal(["r1", "r3", "r2"], await experiment.SearchAsync(null, "attributes.run_name DESC"));
        Assert.Equal(["r3", "r1", "r2"], await experiment.SearchAsync(null, "end_time"));
        Assert.Equal(["r1", "r3", "r2"], await experiment.SearchAsync(null, "end_time DESC"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Several_order_keys_apply_in_turn_and_ties_break_on_start_time_then_run_id(string backend)
    {
        var experiment = await (await SearchStore.ForAsync(backend)).NewExperimentAsync();
        foreach (var (label, start, group, score) in new[] { ("r1", 1L, "x", 1.0), ("r2", 2L, "x", 1.0), ("r3", 2L, "y", 5.0), ("r4", 2L, "x", 1.0) })
        {
            await experiment.AddRunAsync(label, startTime: start);
            await experiment.SetParamAsync(label, "group", group);
            await experiment.SetMetricAsync(label, "score", score);
        }

        Assert.Equal(["r3", "r2", "r4", "r1"], await experiment.SearchAsync(null, "params.group DESC", "metrics.score DESC"));
        Assert.Equal(["r2", "r4", "r1", "r3"], await experiment.SearchAsync("metrics.score >= 1", "metrics.score"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Equal_start_times_page_in_run_id_order(string backend)
    {
        var store = await SearchStore.ForAsync(backend);
        var experiment = await store.NewExperimentAsync();
        var labels = Enumerable.Range(0, 10).Select(i => $"r{i}").ToList();
        foreach (var label in labels.AsEnumerable().Reverse())
        {
            await experiment.AddRunAsync(label, startTime: 42);
        }

        Assert.Equal(labels, await experiment.SearchAsync(null));
    }
}
