using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tests.Infrastructure;
using Flightdeck.Server.Ui;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Ui.Tests;

/// <summary>
/// Charts of long series drawn from metric_blocks (migration 0010) and the unsummarized tail. Each series here has
/// 20,000 points, summarized into 312 blocks; a 202-point chart has 100 columns of 200 points, about three blocks each.
/// Where the tests must tell the block path from the all-rows path, they change a row behind the blocks' back: the
/// blocks do not see it, every-row reading does.
/// </summary>
public sealed class MetricBlocksTests
{
    private const string Single = "api/flightdeck/v1/metrics/downsampled";
    private const int Count = 20_000;
    private const long Epoch = 1_700_000_000_000;

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_long_series_is_drawn_from_its_blocks_exactly_as_from_every_row(string backend)
    {
        // Given a summarized series whose columns each have one dip and one spike
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        var values = Wave();
        await LogAsync(server, runId, "wave", Steps(), values);
        await SummarizeAsync(server, runId, "wave");
        Assert.True(await BlockCountAsync(server, runId) >= (Count / MetricBlock.Size) - 1);

        // When / Then: the same points, values and timestamps as the downsampler over every row
        var chart = await GetAsync(server, runId, "wave", 202);
        AssertChart(Steps(), values, 202, chart);

        // And the first view did read blocks: a middle row changed behind them does not show.
        await ExecuteAsync(server, "UPDATE metrics SET value = -1000 WHERE run_uuid = @r AND key = 'wave' AND step = 10050", runId);
        var again = await GetAsync(server, runId, "wave", 204);
        Assert.DoesNotContain(-1000, Doubles(again, "values"));
        Assert.Equal(Count, again.GetProperty("total_points").GetInt32());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Noisy_series_differ_from_every_row_only_by_extremes_inside_blocks_that_cross_a_column_boundary(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        var random = new Random(11);
        var values = Enumerable.Range(0, Count).Select(_ => random.NextDouble()).ToArray();
        var steps = Steps();
        await LogAsync(server, runId, "noise", steps, values);
        await SummarizeAsync(server, runId, "noise");

        var chart = await GetAsync(server, runId, "noise", 202);

        // Every point drawn is a logged point, the first and last are exact, and per column the block path's extremes
        // are the true ones unless the true one sits in a block (64 rows by seq, here by step) cut by a column boundary.
        var drawnSteps = Longs(chart, "steps");
        var drawnValues = Doubles(chart, "values");
        Assert.All(drawnSteps.Zip(drawnValues), p => Assert.Equal(values[p.First], p.Second));
        Assert.Equal([0L, Count - 1], [drawnSteps[0], drawnSteps[^1]]);
        const int Columns = 100;
        int Column(long step) => Math.Min(Columns - 1, (int)((step - 1) / (double)(Count - 2) * Columns));
        bool CrossesBoundary(long step) => Column(step / MetricBlock.Size * MetricBlock.Size) != Column((step / MetricBlock.Size * MetricBlock.Size) + MetricBlock.Size - 1);
        var differing = 0;
        for (var c = 0; c < Columns; c++)
        {
            var inColumn = Enumerable.Range(1, Count - 2).Where(i => Column(i) == c).ToList();
            var trueLow = inColumn.MinBy(i => values[i]);
            var trueHigh = inColumn.MaxBy(i => values[i]);
            var drawn = Enumerable.Range(1, drawnSteps.Length - 2).Where(i => Column(drawnSteps[i]) == c).Select(i => drawnValues[i]).ToList();
            Assert.NotEmpty(drawn);
            if (drawn.Min() != values[trueLow])
            {
                Assert.True(CrossesBoundary(trueLow), $"column {c}: low {values[trueLow]} at {trueLow} missed");
                differing++;
            }

            if (drawn.Max() != values[trueHigh])
            {
                Assert.True(CrossesBoundary(trueHigh), $"column {c}: high {values[trueHigh]} at {trueHigh} missed");
                differing++;
            }
        }

        Assert.True(differing < Columns, $"{differing} of {2 * Columns} column extremes differ");
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Steps_logged_out_of_order_fall_back_to_every_row_and_stay_exact(string backend)
    {
        // Given steps 0..9999, then 15000..19999, then 10000..14999, summarized
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        long[] steps = [.. Enumerable.Range(0, 10_000), .. Enumerable.Range(15_000, 5_000), .. Enumerable.Range(10_000, 5_000)];
        var wave = Wave();
        var values = steps.Select(s => wave[s]).ToArray();
        await LogAsync(server, runId, "shuffled", steps, values);
        await SummarizeAsync(server, runId, "shuffled");

        // When a middle row changes behind the blocks
        await ExecuteAsync(server, "UPDATE metrics SET value = -1000 WHERE run_uuid = @r AND key = 'shuffled' AND step = 10050", runId);
        values[Array.IndexOf(steps, 10_050)] = -1000;

        // Then the chart is the downsampler's over every row, sorted by step, the change included
        var order = Enumerable.Range(0, Count).OrderBy(i => steps[i]).ToArray();
        AssertChart([.. order.Select(i => steps[i])], [.. order.Select(i => values[i])], 202, await GetAsync(server, runId, "shuffled", 202));
        // A zoomed range too.
        var zoomed = order.Where(i => steps[i] is >= 9_000 and <= 16_000).ToArray();
        AssertChart([.. zoomed.Select(i => steps[i])], [.. zoomed.Select(i => values[i])], 100,
            await GetAsync(server, runId, "shuffled", 100, "&min_step=9000&max_step=16000"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Zoomed_ranges_are_exact_at_the_start_in_the_middle_in_the_tail_and_beyond(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        var values = Wave();
        await LogAsync(server, runId, "wave", Steps(), values);
        await SummarizeAsync(server, runId, "wave");

        foreach (var (min, max) in new (long?, long?)[] { (5_000, 12_000), (null, 30), (63, 64), (19_990, null), (12_345, 12_345), (30_000, null), (-5, -1) })
        {
            var range = (min is null ? "" : $"&min_step={min}") + (max is null ? "" : $"&max_step={max}");
            var inRange = Steps().Where(s => s >= (min ?? long.MinValue) && s <= (max ?? long.MaxValue)).ToArray();
            AssertChart(inRange, [.. inRange.Select(s => values[s])], 100, await GetAsync(server, runId, "wave", 100, range));
        }
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Logging_past_the_threshold_summarizes_the_series_in_the_background(string backend)
    {
        await using var server = await TestServer.StartAsync(backend, o => o with { ChartSummariesOnWrite = true });
        var runId = await CreateRunAsync(server);

        // When log-batch writes twice the threshold, and nothing asks for a chart
        var steps = Steps().Take(2 * MetricBlockSummarizer.TailThreshold).ToArray();
        await LogAsync(server, runId, "wave", steps, [.. Wave().Take(steps.Length)]);

        // Then blocks follow: at least those of the first threshold's worth of points
        await WaitForBlocksAsync(server, runId, "wave", MetricBlockSummarizer.TailThreshold / MetricBlock.Size);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task By_default_a_long_series_is_summarized_after_its_first_chart_not_while_it_is_logged(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);

        // When log-batch writes twice the threshold with summaries on write off (the default)
        var steps = Steps().Take(2 * MetricBlockSummarizer.TailThreshold).ToArray();
        await LogAsync(server, runId, "wave", steps, [.. Wave().Take(steps.Length)]);
        await Task.Delay(500, TestContext.Current.CancellationToken);

        // Then nothing is summarized until a chart reads the series, and then its blocks follow
        Assert.Equal(0, await BlockCountAsync(server, runId));
        await GetAsync(server, runId, "wave", 1000);
        await WaitForBlocksAsync(server, runId, "wave", steps.Length / MetricBlock.Size);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Points_logged_after_summarizing_show_at_once(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        await LogAsync(server, runId, "wave", Steps(), Wave());
        await SummarizeAsync(server, runId, "wave");
        var before = await GetAsync(server, runId, "wave", 202);

        // When 1,000 more points arrive, one of them a new high
        var more = Enumerable.Range(Count, 1_000).Select(s => (long)s).ToArray();
        await LogAsync(server, runId, "wave", more, [.. more.Select(s => s == 20_500 ? 99.0 : 0.5)]);

        // Then the next chart has them
        var after = await GetAsync(server, runId, "wave", 202);
        Assert.Equal(Count, before.GetProperty("total_points").GetInt32());
        Assert.Equal(Count + 1_000, after.GetProperty("total_points").GetInt32());
        Assert.Equal(20_999, Longs(after, "steps")[^1]);
        Assert.Contains(99.0, Doubles(after, "values"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task NaN_and_infinite_points_are_counted_and_left_out(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        var values = Wave();
        // Never at a dip or spike (steps 61 and 141 modulo 200), so the chart stays exact.
        var logged = values.Select((v, i) => (object)(i % 100 == 7 ? "NaN" : i % 100 == 33 ? (i % 200 == 33 ? "Infinity" : "-Infinity") : v)).ToArray();
        await LogAsync(server, runId, "gappy", Steps(), logged);
        await SummarizeAsync(server, runId, "gappy");

        var chart = await GetAsync(server, runId, "gappy", 202);

        var finite = Enumerable.Range(0, Count).Where(i => logged[i] is double).ToArray();
        Assert.Equal(Count - finite.Length, chart.GetProperty("non_finite_points").GetInt32());
        AssertChart([.. finite.Select(i => (long)i)], [.. finite.Select(i => values[i])], 202, chart);
        // Blocks answered: a middle row changed behind them does not show.
        await ExecuteAsync(server, "UPDATE metrics SET value = -1000 WHERE run_uuid = @r AND key = 'gappy' AND step = 10050", runId);
        Assert.DoesNotContain(-1000, Doubles(await GetAsync(server, runId, "gappy", 204), "values"));
    }

    [Fact]
    public async Task On_PostgreSQL_a_row_committed_below_the_summarized_seqs_is_detected_and_the_blocks_rebuilt()
    {
        // Given a summarized series with another metric's rows between its chunks (seqs inside its blocks' ranges)
        await using var server = await TestServer.StartAsync(StoreBackend.Postgres);
        var runId = await CreateRunAsync(server);
        var values = Wave();
        for (var chunk = 0; chunk < Count / 1000; chunk++)
        {
            var steps = Enumerable.Range(chunk * 1000, 1000).Select(s => (long)s).ToArray();
            await LogAsync(server, runId, "wave", steps, [.. steps.Select(s => values[s])]);
            await LogAsync(server, runId, "other", [chunk], [0.0]);
        }

        await SummarizeAsync(server, runId, "wave");
        await GetAsync(server, runId, "wave", 202);

        // When one of those rows turns into a "wave" row after the blocks were written: a late commit, as PostgreSQL allows
        await ExecuteAsync(server, "UPDATE metrics SET key = 'wave', value = -1000, step = 4999, timestamp = 1700000004999 WHERE run_uuid = @r AND key = 'other' AND step = 4", runId);
        long[] expectedSteps = [.. Steps().Take(5_000), 4_999, .. Steps().Skip(5_000)];
        double[] expectedValues = [.. values.Take(5_000), -1000, .. values.Skip(5_000)];

        // Then the count disagrees with the blocks: the chart is read from every row, exactly
        AssertChart(expectedSteps, expectedValues, 202, await GetAsync(server, runId, "wave", 202));

        // And the blocks are rebuilt in the background, now with the row, and answer again
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await ScalarAsync(server, "SELECT COUNT(*) FROM metric_blocks WHERE run_uuid = @r AND key = 'wave' AND low_value = -1000", runId) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the blocks were not rebuilt");
            await Task.Delay(100);
        }

        await WaitForBlocksAsync(server, runId, "wave", (Count + 1) / MetricBlock.Size);
        await ExecuteAsync(server, "UPDATE metrics SET value = -2000 WHERE run_uuid = @r AND key = 'wave' AND step = 10050", runId);
        var rebuilt = await GetAsync(server, runId, "wave", 204);
        Assert.Contains(-1000, Doubles(rebuilt, "values"));
        Assert.DoesNotContain(-2000, Doubles(rebuilt, "values"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Garbage_collection_deletes_the_blocks_of_purged_runs(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var doomed = await CreateRunAsync(server);
        var kept = await CreateRunAsync(server);
        foreach (var run in (string[])[doomed, kept])
        {
            await LogAsync(server, run, "wave", Steps().Take(1_000).ToArray(), Wave().Take(1_000).ToArray());
            await SummarizeAsync(server, run, "wave");
        }

        await server.PostOkAsync("runs/delete", new { run_id = doomed });
        using var gc = await server.Http.PostAsync("api/flightdeck/v1/gc", new StringContent("{}", Encoding.UTF8, "application/json"));
        await TestServer.ReadOkAsync(gc);

        Assert.Equal(0, await BlockCountAsync(server, doomed));
        Assert.Equal(1_000 / MetricBlock.Size, await BlockCountAsync(server, kept));
        // The summarizer writes no blocks for a purged run.
        await SummarizeAsync(server, doomed, "wave");
        Assert.Equal(0, await BlockCountAsync(server, doomed));
    }

    /// <summary>Base 0.1–0.9; column c of a 202-point chart (200 steps from step 1) dips to -1-c and spikes to 1+c.</summary>
    private static double[] Wave()
    {
        var values = Enumerable.Range(0, Count).Select(s => 0.5 + (0.4 * Math.Sin(s * 0.37))).ToArray();
        for (var c = 0; c < 100; c++)
        {
            values[1 + (c * 200) + 60] = -1 - c;
            values[1 + (c * 200) + 140] = 1 + c;
        }

        return values;
    }

    private static long[] Steps() => [.. Enumerable.Range(0, Count).Select(s => (long)s)];

    private static void AssertChart(long[] steps, double[] values, int points, JsonElement chart)
    {
        var kept = MetricDownsampler.Select(steps, values, points);
        Assert.Equal(steps.Length, chart.GetProperty("total_points").GetInt32());
        Assert.Equal([.. kept.Select(i => steps[i])], Longs(chart, "steps"));
        Assert.Equal([.. kept.Select(i => values[i])], Doubles(chart, "values"));
        Assert.Equal([.. kept.Select(i => Epoch + steps[i])], Longs(chart, "timestamps"));
    }

    private static Task SummarizeAsync(TestServer server, string runId, string key) =>
        server.Services.GetRequiredService<MetricBlockSummarizer>().SummarizeAsync(runId, key, rebuild: false, TestContext.Current.CancellationToken);

    private static async Task WaitForBlocksAsync(TestServer server, string runId, string key, long count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await ScalarAsync(server, $"SELECT COUNT(*) FROM metric_blocks WHERE run_uuid = @r AND key = '{key}'", runId) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, "the blocks were not written");
            await Task.Delay(100);
        }
    }

    private static Task<long> BlockCountAsync(TestServer server, string runId) =>
        ScalarAsync(server, "SELECT COUNT(*) FROM metric_blocks WHERE run_uuid = @r", runId);

    private static async Task<long> ScalarAsync(TestServer server, string sql, string runId)
    {
        await using var connection = await server.Services.GetRequiredService<Database>().OpenAsync(TestContext.Current.CancellationToken);
        await using var command = Command(connection, sql, runId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(TestServer server, string sql, string runId)
    {
        var database = server.Services.GetRequiredService<Database>();
        await database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, sql, runId);
            command.Transaction = transaction;
            Assert.Equal(1, await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        }, TestContext.Current.CancellationToken);
    }

    private static DbCommand Command(DbConnection connection, string sql, string runId)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@r";
        parameter.Value = runId;
        command.Parameters.Add(parameter);
        return command;
    }

    private static async Task<string> CreateRunAsync(TestServer server) =>
        (await server.PostOkAsync("runs/create", new { experiment_id = "0" })).GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;

    private static async Task LogAsync<T>(TestServer server, string runId, string key, long[] steps, T[] values)
    {
        foreach (var chunk in Enumerable.Range(0, steps.Length).Chunk(1000))
        {
            var metrics = chunk.Select(i => new { key, value = (object)values[i]!, timestamp = Epoch + steps[i], step = steps[i] });
            await server.PostOkAsync("runs/log-batch", new { run_id = runId, metrics });
        }
    }

    private static async Task<JsonElement> GetAsync(TestServer server, string runId, string key, int points, string range = "")
    {
        using var response = await server.Http.GetAsync($"{Single}?run_id={runId}&key={key}&points={points}{range}");
        return await TestServer.ReadOkAsync(response);
    }

    private static long[] Longs(JsonElement series, string name) => [.. series.GetProperty(name).EnumerateArray().Select(e => e.GetInt64())];

    private static double[] Doubles(JsonElement series, string name) => [.. series.GetProperty(name).EnumerateArray().Select(e => e.GetDouble())];
}
