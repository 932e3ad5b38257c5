using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;
using static Flightdeck.Server.Tests.Tracking.RunsTests;

namespace Flightdeck.Server.Tests.Tracking;

public sealed class LoggingTests
{
    private static Dictionary<string, JsonElement> Metrics(JsonElement run) =>
        run.GetProperty("data").GetProperty("metrics").EnumerateArray().ToDictionary(m => m.GetProperty("key").GetString()!);

    private static async Task<List<JsonElement>> HistoryAsync(TestServer server, string runId, string key) =>
        (await server.GetOkAsync($"metrics/get-history?run_id={runId}&metric_key={Uri.EscapeDataString(key)}"))
            .GetProperty("metrics").EnumerateArray().ToList();

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task NaN_and_infinities_round_trip(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);

        await server.PostRawAsync("runs/log-batch", $$"""
            {"run_id": "{{runId}}", "metrics": [
              {"key": "nan", "value": "NaN", "timestamp": 1, "step": 0},
              {"key": "pinf", "value": "Infinity", "timestamp": 1},
              {"key": "ninf", "value": "-Infinity", "timestamp": 1}]}
            """);

        var metrics = Metrics(await GetRunAsync(server, runId));
        Assert.Equal("NaN", metrics["nan"].GetProperty("value").GetString());
        Assert.Equal("Infinity", metrics["pinf"].GetProperty("value").GetString());
        Assert.Equal("-Infinity", metrics["ninf"].GetProperty("value").GetString());
        Assert.Equal(0, metrics["pinf"].GetProperty("step").GetInt64()); // step defaults to 0
        Assert.Equal("NaN", (await HistoryAsync(server, runId, "nan"))[0].GetProperty("value").GetString());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Summary_metric_is_the_max_by_step_then_timestamp_then_value(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);

        // Logged out of order, with duplicates and a negative step: history keeps all, summary takes the max tuple.
        var points = new (double Value, long Timestamp, long Step)[] { (5, 100, 2), (1, 200, 3), (9, 50, 3), (7, 200, 3), (3, 999, -1), (7, 200, 3) };
        foreach (var (value, timestamp, step) in points)
        {
            await server.PostOkAsync("runs/log-metric", new { run_id = runId, key = "loss", value, timestamp, step });
        }

        var summary = Metrics(await GetRunAsync(server, runId))["loss"];
        Assert.Equal(7, summary.GetProperty("value").GetDouble());
        Assert.Equal(200, summary.GetProperty("timestamp").GetInt64());
        Assert.Equal(3, summary.GetProperty("step").GetInt64());
        var history = await HistoryAsync(server, runId, "loss");
        Assert.Equal(points.Select(p => p.Value), history.Select(h => h.GetProperty("value").GetDouble()));
        Assert.Empty(await HistoryAsync(server, runId, "never-logged"));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Params_are_write_once_and_a_changed_value_writes_nothing(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        await server.PostOkAsync("runs/log-parameter", new { run_id = runId, key = "lr", value = "0.1" });
        await server.PostOkAsync("runs/log-parameter", new { run_id = runId, key = "lr", value = "0.1" }); // idempotent

        using var changed = await server.PostAsync("runs/log-batch", new
        {
            run_id = runId,
            @params = new[] { new { key = "depth", value = "3" }, new { key = "lr", value = "0.2" } },
            metrics = new[] { new { key = "m", value = 1.0, timestamp = 1L, step = 0L } },
            tags = new[] { new { key = "t", value = "v" } },
        });

        var message = await TestServer.ReadErrorAsync(changed, 400, ErrorCode.InvalidParameterValue);
        Assert.Contains("Changing param values is not allowed", message);
        var run = await GetRunAsync(server, runId);
        Assert.Equal(["lr"], run.GetProperty("data").GetProperty("params").EnumerateArray().Select(p => p.GetProperty("key").GetString()));
        Assert.Empty(run.GetProperty("data").GetProperty("metrics").EnumerateArray());
        Assert.DoesNotContain(run.GetProperty("data").GetProperty("tags").EnumerateArray(), t => t.GetProperty("key").GetString() == "t");
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Tags_last_value_wins_even_within_a_batch_and_empty_strings_are_allowed(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);

        await server.PostOkAsync("runs/log-batch", new
        {
            run_id = runId,
            tags = new[] { new { key = "t", value = "first" }, new { key = "t", value = "second" }, new { key = "e", value = "" } },
            @params = new[] { new { key = "p", value = "" } },
        });

        var data = (await GetRunAsync(server, runId)).GetProperty("data");
        var tags = data.GetProperty("tags").EnumerateArray().ToDictionary(t => t.GetProperty("key").GetString()!, t => t.GetProperty("value").GetString());
        Assert.Equal("second", tags["t"]);
        Assert.Equal("", tags["e"]);
        Assert.Equal("", data.GetProperty("params")[0].GetProperty("value").GetString());
    }

    [Theory]
    [InlineData(6000, true)]
    [InlineData(6001, false)]
    public async Task Param_value_length_limit_is_6000(int length, bool accepted)
    {
        await using var server = await TestServer.StartAsync();
        var runId = await CreateRunAsync(server);

        using var response = await server.PostAsync("runs/log-parameter", new { run_id = runId, key = "long", value = new string('x', length) });

        if (accepted)
        {
            await TestServer.ReadOkAsync(response);
        }
        else
        {
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Log_batch_accepts_1000_metrics_and_an_empty_payload(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);

        await server.PostOkAsync("runs/log-batch", new { run_id = runId });
        await server.PostOkAsync("runs/log-batch", new
        {
            run_id = runId,
            metrics = Enumerable.Range(0, 1000).Select(i => new { key = "m" + (i % 10), value = (double)i, timestamp = 1000L + i, step = (long)(i / 10) }),
        });

        var metrics = Metrics(await GetRunAsync(server, runId));
        Assert.Equal(10, metrics.Count);
        Assert.Equal(999, metrics["m9"].GetProperty("value").GetDouble());
        Assert.Equal(100, (await HistoryAsync(server, runId, "m3")).Count);
        using var tooMany = await server.PostAsync("runs/log-batch", new
        {
            run_id = runId, metrics = Enumerable.Range(0, 1001).Select(i => new { key = "x", value = 1.0, timestamp = 1L }),
        });
        await TestServer.ReadErrorAsync(tooMany, 400, ErrorCode.InvalidParameterValue);
    }

    [Fact]
    public async Task Metric_without_timestamp_is_400_but_without_step_is_fine()
    {
        await using var server = await TestServer.StartAsync();
        var runId = await CreateRunAsync(server);

        using var noTimestamp = await server.PostAsync("runs/log-metric", new { run_id = runId, key = "m", value = 1.0 });
        await TestServer.ReadErrorAsync(noTimestamp, 400, ErrorCode.InvalidParameterValue);
        await server.PostOkAsync("runs/log-metric", new { run_id = runId, key = "m", value = 1.0, timestamp = 5 });
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a//b")]
    [InlineData("bad*char")]
    [InlineData("/abs")]
    public async Task Invalid_keys_are_rejected(string key)
    {
        await using var server = await TestServer.StartAsync();
        var runId = await CreateRunAsync(server);

        using var response = await server.PostAsync("runs/log-metric", new { run_id = runId, key, value = 1.0, timestamp = 1 });

        await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Metric_history_pages_with_tokens(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        await server.PostOkAsync("runs/log-batch", new
        {
            run_id = runId, metrics = Enumerable.Range(0, 25).Select(i => new { key = "acc", value = (double)i, timestamp = 1L, step = (long)i }),
        });

        var seen = new List<double>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await server.GetOkAsync($"metrics/get-history?run_id={runId}&metric_key=acc&max_results=10"
                + (token is null ? "" : "&page_token=" + Uri.EscapeDataString(token)));
            seen.AddRange(page.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("value").GetDouble()));
            token = page.TryGetProperty("next_page_token", out var next) ? next.GetString() : null;
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (double)i), seen);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Bulk_interval_samples_evenly_keeping_first_and_last_step(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var a = await CreateRunAsync(server);
        var b = await CreateRunAsync(server);
        foreach (var run in new[] { a, b })
        {
            await server.PostOkAsync("runs/log-batch", new
            {
                run_id = run, metrics = Enumerable.Range(0, 100).Select(i => new { key = "loss", value = 100.0 - i, timestamp = 1L, step = (long)i }),
            });
        }

        var metrics = (await server.GetOkAsync($"metrics/get-history-bulk-interval?run_ids={a}&run_ids={b}&metric_key=loss&max_results=5"))
            .GetProperty("metrics").EnumerateArray().ToList();

        var ordered = new[] { a, b }.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(10, metrics.Count);
        Assert.Equal(ordered[0], metrics[0].GetProperty("run_id").GetString());
        var steps = metrics.Take(5).Select(m => m.GetProperty("step").GetInt64()).ToList();
        Assert.Equal(0, steps[0]);
        Assert.Equal(99, steps[^1]);
        Assert.Equal(steps.Order(), steps);
        using var bad = await server.GetAsync($"metrics/get-history-bulk-interval?run_ids={a}&metric_key=loss&start_step=5");
        await TestServer.ReadErrorAsync(bad, 400, ErrorCode.InvalidParameterValue);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Dataset_inputs_round_trip_and_relogging_changes_nothing(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        object Input(string source) => new
        {
            run_id = runId,
            datasets = new[]
            {
                new
                {
                    tags = new[] { new { key = "mlflow.data.context", value = "training" } },
                    dataset = new { name = "readmissions", digest = "abc123", source_type = "local", source = source, schema = "{\"cols\":[]}", profile = "{\"rows\":10}" },
                },
            },
        };

        await server.PostOkAsync("runs/log-inputs", Input("file:///data/a.csv"));
        await server.PostOkAsync("runs/log-inputs", Input("file:///data/b.csv"));

        var inputs = (await GetRunAsync(server, runId)).GetProperty("inputs").GetProperty("dataset_inputs").EnumerateArray().ToList();
        var input = Assert.Single(inputs);
        Assert.Equal("file:///data/a.csv", input.GetProperty("dataset").GetProperty("source").GetString());
        Assert.Equal("{\"rows\":10}", input.GetProperty("dataset").GetProperty("profile").GetString());
        Assert.Equal("training", input.GetProperty("tags")[0].GetProperty("value").GetString());
        using var missing = await server.PostAsync("runs/log-inputs", new { run_id = runId });
        await TestServer.ReadErrorAsync(missing, 400, ErrorCode.InvalidParameterValue);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Concurrent_writers_on_several_runs_neither_deadlock_nor_lose_points(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runs = new[] { await CreateRunAsync(server), await CreateRunAsync(server) };

        // 4 writers on 2 runs, each writing the same keys in a different order.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async writer =>
        {
            var runId = runs[writer % 2];
            for (var batch = 0; batch < 20; batch++)
            {
                var keys = Enumerable.Range(0, 5).Select(k => "k" + k);
                keys = writer % 2 == 0 ? keys : keys.Reverse();
                await server.PostOkAsync("runs/log-batch", new
                {
                    run_id = runId,
                    metrics = keys.Select(k => new { key = k, value = (double)batch, timestamp = 1L, step = (long)batch }),
                    tags = keys.Select(k => new { key = k, value = writer.ToString() }),
                });
            }
        }));

        foreach (var runId in runs)
        {
            Assert.Equal(40, (await HistoryAsync(server, runId, "k0")).Count);
            Assert.Equal(19, Metrics(await GetRunAsync(server, runId))["k4"].GetProperty("value").GetDouble());
        }
    }
}
