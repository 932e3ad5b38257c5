using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;
using Flightdeck.Server.Ui;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Ui.Tests;

/// <summary>The run page's batch of downsampled series, and the cache behind both chart endpoints.</summary>
public sealed class DownsampledBatchTests
{
    private const string Batch = "api/flightdeck/v1/metrics/downsampled-batch";
    private const string Single = "api/flightdeck/v1/metrics/downsampled";

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task The_batch_returns_every_metric_of_a_run_with_each_columns_exact_minimum_and_maximum(string backend)
    {
        // Given a run with "wave": 1,002 points, steps 0..1001; 22 points make the first, the last and 10 columns of
        // 100 interior points; column c has its minimum -1-c at its 10th point and its maximum 1+c at its 90th.
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        var wave = new double[1002];
        for (var c = 0; c < 10; c++)
        {
            wave[1 + (c * 100) + 10] = -1 - c;
            wave[1 + (c * 100) + 90] = 1 + c;
        }

        await LogAsync(server, runId, "wave", Enumerable.Range(0, 1002).Select(step => ((long)step, (object)wave[step])));
        await LogAsync(server, runId, "loss", [(0, 3.0), (1, 2.0), (2, 1.5)]);
        await LogAsync(server, runId, "broken", [(0, "NaN")]);

        // When
        var lines = await GetBatchAsync(server, $"run_id={runId}&points=22");

        // Then: one line per metric in ordinal key order.
        Assert.Equal(["broken", "loss", "wave"], lines.Select(l => l.GetProperty("key").GetString()));
        Assert.All(lines, l => Assert.Equal(runId, l.GetProperty("run_id").GetString()));

        var broken = lines[0];
        Assert.Equal(0, broken.GetProperty("total_points").GetInt32());
        Assert.Equal(1, broken.GetProperty("non_finite_points").GetInt32());
        Assert.Equal(0, broken.GetProperty("steps").GetArrayLength());

        var loss = lines[1];
        Assert.False(loss.GetProperty("downsampled").GetBoolean());
        Assert.Equal([0L, 1L, 2L], Longs(loss, "steps"));
        Assert.Equal([3.0, 2.0, 1.5], Doubles(loss, "values"));

        var downsampled = lines[2];
        Assert.Equal(1002, downsampled.GetProperty("total_points").GetInt32());
        Assert.True(downsampled.GetProperty("downsampled").GetBoolean());
        long[] expectedSteps = [0, .. Enumerable.Range(0, 10).SelectMany(c => new long[] { 1 + (c * 100) + 10, 1 + (c * 100) + 90 }), 1001];
        double[] expectedValues = [0, .. Enumerable.Range(0, 10).SelectMany(c => new double[] { -1 - c, 1 + c }), 0];
        Assert.Equal(expectedSteps, Longs(downsampled, "steps"));
        Assert.Equal(expectedValues, Doubles(downsampled, "values"));
        Assert.Equal(expectedSteps.Select(s => 1_700_000_000_000 + s), Longs(downsampled, "timestamps"));

        // The single-metric endpoint agrees with the batch.
        using var one = await server.Http.GetAsync($"{Single}?run_id={runId}&key=wave&points=22");
        var single = await TestServer.ReadOkAsync(one);
        Assert.Equal(expectedSteps, Longs(single, "steps"));
    }

    [Fact]
    public async Task The_batch_answers_bad_input_with_clear_4xx_errors()
    {
        await using var server = await TestServer.StartAsync();
        var runId = await CreateRunAsync(server);

        foreach (var query in new[]
        {
            "", "points=100", $"run_id={runId}&points=1", $"run_id={runId}&points=20001", $"run_id={runId}&points=ten",
            $"run_id={runId}&points=10&points=20", $"run_id={runId}&run_id={runId}", $"run_id={runId}&key=loss",
        })
        {
            using var response = await server.Http.GetAsync($"{Batch}?{query}");
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }

        using var unknownRun = await server.Http.GetAsync($"{Batch}?run_id=0123456789abcdef0123456789abcdef");
        await TestServer.ReadErrorAsync(unknownRun, 404, ErrorCode.ResourceDoesNotExist);

        // A run without metrics is an empty stream, not an error.
        Assert.Empty(await GetBatchAsync(server, $"run_id={runId}"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_cached_series_is_served_until_a_point_is_appended_then_read_again(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var cache = server.Services.GetRequiredService<DownsampledSeriesCache>();
        var runId = await CreateRunAsync(server);
        await LogAsync(server, runId, "loss", Enumerable.Range(0, 500).Select(step => ((long)step, (object)(1.0 / (step + 1)))));
        await LogAsync(server, runId, "accuracy", [(0, 0.5), (1, 0.6)]);

        // The first batch reads both metrics; the second, unchanged, is served from the cache.
        var first = await GetBatchAsync(server, $"run_id={runId}&points=100");
        var before = cache.Lookups;
        var second = await GetBatchAsync(server, $"run_id={runId}&points=100");
        Assert.Equal(before.Hits + 2, cache.Lookups.Hits);
        Assert.Equal(first.Select(l => l.GetRawText()), second.Select(l => l.GetRawText()));

        // When a point is appended to one metric, that one is read again and shows the point; the other stays cached.
        await LogAsync(server, runId, "loss", [(500, 42.0)]);
        before = cache.Lookups;
        var third = await GetBatchAsync(server, $"run_id={runId}&points=100");
        Assert.Equal((before.Hits + 1, before.Misses + 1), cache.Lookups);
        var loss = third.Single(l => l.GetProperty("key").GetString() == "loss");
        Assert.Equal(501, loss.GetProperty("total_points").GetInt32());
        Assert.Equal(500L, Longs(loss, "steps")[^1]);
        Assert.Equal(42.0, Doubles(loss, "values")[^1]);

        // The single-metric endpoint validates the same way.
        using (var cached = await server.Http.GetAsync($"{Single}?run_id={runId}&key=accuracy&points=100"))
        {
            var body = await TestServer.ReadOkAsync(cached);
            Assert.Equal(new[] { 0.5, 0.6 }, Doubles(body, "values"));
        }

        await LogAsync(server, runId, "accuracy", [(2, 0.7)]);
        using var fresh = await server.Http.GetAsync($"{Single}?run_id={runId}&key=accuracy&points=100");
        var freshBody = await TestServer.ReadOkAsync(fresh);
        Assert.Equal(new[] { 0.5, 0.6, 0.7 }, Doubles(freshBody, "values"));
    }

    [Fact]
    public void The_cache_keeps_its_point_budget_by_dropping_the_least_recently_used()
    {
        var cache = new DownsampledSeriesCache(capacityPoints: 10);
        var version = new SeriesVersion(1, 0);
        var a = new SeriesRequest("r", "a", 100, null, null);
        var b = a with { Key = "b" };
        var c = a with { Key = "c" };
        cache.Put(a, version, Series("a", 4));
        cache.Put(b, version, Series("b", 4));
        Assert.True(cache.TryGet(a, version, out _));

        cache.Put(c, version, Series("c", 4));

        Assert.True(cache.TryGet(a, version, out _));
        Assert.False(cache.TryGet(b, version, out _));
        Assert.True(cache.TryGet(c, version, out _));
        Assert.False(cache.TryGet(a, new SeriesVersion(2, 0), out _));
    }

    private static DownsampledSeries Series(string key, int points) =>
        new(key, points, 0, new long[points], new double[points], new long[points]);

    private static async Task<string> CreateRunAsync(TestServer server) =>
        (await server.PostOkAsync("runs/create", new { experiment_id = "0" })).GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;

    private static async Task LogAsync(TestServer server, string runId, string key, IEnumerable<(long Step, object Value)> points)
    {
        foreach (var chunk in points.Chunk(1000))
        {
            var metrics = chunk.Select(p => new { key, value = p.Value, timestamp = 1_700_000_000_000 + p.Step, step = p.Step });
            await server.PostOkAsync("runs/log-batch", new { run_id = runId, metrics });
        }
    }

    private static async Task<List<JsonElement>> GetBatchAsync(TestServer server, string query)
    {
        using var response = await server.Http.GetAsync($"{Batch}?{query}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Length == 0 || text.EndsWith('\n'));
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    private static long[] Longs(JsonElement series, string name) => [.. series.GetProperty(name).EnumerateArray().Select(e => e.GetInt64())];

    private static double[] Doubles(JsonElement series, string name) => [.. series.GetProperty(name).EnumerateArray().Select(e => e.GetDouble())];
}
