using Dapper;
using Flightdeck.Server.Tests.Infrastructure;
using Flightdeck.Server.Tracking;
using Flightdeck.Server.Tracking.Search;

namespace Flightdeck.Server.Tests.Search;

/// <summary>
/// Pages of a search ordered by a metric, read by walking the metric's index (MetricWalkPage), must be exactly the
/// pages of the sorting query: same rows, same order, across ties, NaN, missing values, small and bounded windows.
/// </summary>
public sealed class MetricWalkTests
{
    public static TheoryData<string, string, string?> Cases()
    {
        var data = new TheoryData<string, string, string?>();
        foreach (var backend in new[] { StoreBackend.Sqlite, StoreBackend.Postgres })
        {
            data.Add(backend, "metrics.{0} DESC", "params.p = '1'");
            data.Add(backend, "metrics.{0} ASC", "params.p = '1' AND metrics.{0} >= 1");
            data.Add(backend, "metrics.{0}", "params.p != '2' AND attributes.status = 'FINISHED'");
            data.Add(backend, "metrics.{0} DESC", null);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Walked_pages_equal_the_sorted_pages(string backend, string orderTemplate, string? filterTemplate)
    {
        var store = await SearchStore.ForAsync(backend);
        var experiment = await store.NewExperimentAsync();
        var key = "m" + experiment.Prefix[..8];
        for (var i = 0; i < 300; i++)
        {
            var label = "r" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture);
            await experiment.AddRunAsync(label, startTime: i % 5, status: i % 17 == 0 ? "FAILED" : "FINISHED");
            await experiment.SetParamAsync(label, "p", (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (i % 13 != 0)
            {
                await experiment.SetMetricAsync(label, key, MetricValue(i));
            }
        }

        var orderBy = string.Format(System.Globalization.CultureInfo.InvariantCulture, orderTemplate, key);
        var filter = filterTemplate is null ? null : string.Format(System.Globalization.CultureInfo.InvariantCulture, filterTemplate, key);
        var compiled = RunSearch.Compile(filter, [orderBy, "params.p DESC"], store.Dialect);
        Assert.NotNull(compiled.Walk);
        var scope = $"r.experiment_id IN ({experiment.Id}) AND r.lifecycle_stage IN ('active')";
        var walked = 0;
        foreach (var pageSize in new[] { 1, 7, 40 })
        {
            for (var offset = 0L; offset < 300; offset += pageSize)
            {
                var expected = await SortedPageAsync(store, compiled, scope, pageSize + 1, offset);
                var page = await MetricWalkPage.TryReadAsync(compiled, compiled.Walk, scope, pageSize + 1, offset, new RunStore(store.Database, []),
                    store.Database, TestContext.Current.CancellationToken);
                if (page is not null)
                {
                    walked++;
                    Assert.Equal(expected, page.Select(r => r.Info.RunId).ToList());
                }
            }
        }

        Assert.True(walked > 10, $"only {walked} pages walked");
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_metric_with_fewer_rows_than_the_window_is_walked_up_to_its_infinite_end(string backend)
    {
        var store = await SearchStore.ForAsync(backend);
        var experiment = await store.NewExperimentAsync();
        var key = "m" + experiment.Prefix[..8];
        for (var i = 0; i < 40; i++)
        {
            var label = "r" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture);
            await experiment.AddRunAsync(label);
            await experiment.SetMetricAsync(label, key, i == 0 ? double.NegativeInfinity : i);
        }

        var compiled = RunSearch.Compile(null, [$"metrics.{key} DESC"], store.Dialect);
        var scope = $"r.experiment_id IN ({experiment.Id}) AND r.lifecycle_stage IN ('active')";
        var runs = new RunStore(store.Database, []);
        var ct = TestContext.Current.CancellationToken;

        // 40 rows, far fewer than the window (50 × 11): the whole metric short of -inf is walked, in one statement.
        var first = await MetricWalkPage.TryReadAsync(compiled, compiled.Walk!, scope, 11, 0, runs, store.Database, ct);
        Assert.NotNull(first);
        Assert.Equal(await SortedPageAsync(store, compiled, scope, 11, 0), first.Select(r => r.Info.RunId).ToList());
        Assert.Equal(experiment.RunId("r39"), first[0].Info.RunId);

        // The last page ends with the -inf run, past the open window: the walk gives up and the sort answers it.
        var last = await SortedPageAsync(store, compiled, scope, 11, 29);
        Assert.Equal(11, last.Count);
        Assert.Equal(experiment.RunId("r00"), last[^1]);
        Assert.Null(await MetricWalkPage.TryReadAsync(compiled, compiled.Walk!, scope, 11, 29, runs, store.Database, ct));
    }

    /// <summary>Ties (7 values), NaN, and infinities at both ends, which the walk's open window stops short of.</summary>
    private static double MetricValue(int i) => i switch
    {
        _ when i % 11 == 0 => double.NaN,
        _ when i % 19 == 0 => double.NegativeInfinity,
        _ when i % 23 == 0 => double.PositiveInfinity,
        _ => i % 7,
    };

    private static async Task<List<string>> SortedPageAsync(SearchStore store, CompiledSearch compiled, string scope, long limit, long offset)
    {
        var sql = $"""
            SELECT r.run_uuid FROM runs r {compiled.Joins}
            WHERE {scope} AND ({compiled.Where})
            ORDER BY {compiled.OrderBy} LIMIT @limit OFFSET @offset
            """;
        await using var connection = await store.Database.OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<string>(sql, SearchStore.ToDynamic(compiled, new { limit, offset }))).ToList();
    }
}
