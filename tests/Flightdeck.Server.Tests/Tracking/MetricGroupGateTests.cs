using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tests.Infrastructure;
using Flightdeck.Server.Tracking;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Flightdeck.Server.Tests.Tracking.RunsTests;
using MetricPoint = Flightdeck.Server.Tracking.RunLogWriter.MetricPoint;

namespace Flightdeck.Server.Tests.Tracking;

/// <summary>
/// PostgreSQL's group statement writes only when every run of its group is active, and is sent again without the
/// refused requests otherwise; its rows go in without a join or a sort, in the order they were logged.
/// </summary>
public sealed class MetricGroupGateTests
{
    private static PostgresMetricGroupWriter NewWriter(TestServer server) => new(server.Services.GetRequiredService<Database>());

    private static List<MetricPoint> Steps(string key, int count) =>
        Enumerable.Range(0, count).Select(i => new MetricPoint(key, i, 1000 + i, i)).ToList();

    private static async Task<List<JsonElement>> HistoryAsync(TestServer server, string runId, string key) =>
        (await server.GetOkAsync($"metrics/get-history?run_id={runId}&metric_key={Uri.EscapeDataString(key)}"))
            .GetProperty("metrics").EnumerateArray().ToList();

    private static async Task<Dictionary<string, JsonElement>> SummariesAsync(TestServer server, string runId) =>
        (await GetRunAsync(server, runId)).GetProperty("data").GetProperty("metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("key").GetString()!, m => m.GetProperty("value"));

    private static async Task<long> CountAsync(TestServer server, string sql)
    {
        await using var connection = await server.Services.GetRequiredService<Database>().OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Holds every group on a table lock until released, so that the requests sent meanwhile queue into one group.</summary>
    private static async Task<NpgsqlTransaction> HoldMetricsAsync(TestServer server, NpgsqlConnection blocker)
    {
        await blocker.OpenAsync(TestContext.Current.CancellationToken);
        var transaction = await blocker.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using var lockTable = new NpgsqlCommand("LOCK TABLE metrics IN EXCLUSIVE MODE", blocker, transaction);
        await lockTable.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return transaction;
    }

    [Fact]
    public async Task Large_groups_keep_each_requests_points_in_logging_order()
    {
        await using var server = await TestServer.StartAsync(StoreBackend.Postgres);
        var runs = new[] { await CreateRunAsync(server), await CreateRunAsync(server) };
        var writer = NewWriter(server);

        // 24 requests of 400 points, alternating between two runs: up to 10,000 rows per group. Request i logs steps
        // i*400 .. i*400+399. Concurrent groups may interleave their requests, but never reorder a request's points.
        await Task.WhenAll(Enumerable.Range(0, 24).Select(i => writer.WriteAsync(runs[i % 2],
            Enumerable.Range(i * 400, 400).Select(s => new MetricPoint("loss", s, 1000, s)).ToList(), CancellationToken.None)));

        foreach (var (run, parity) in runs.Select((run, parity) => (run, parity)))
        {
            var history = (await HistoryAsync(server, run, "loss")).Select(h => h.GetProperty("step").GetInt64()).ToList();
            Assert.Equal(Enumerable.Range(0, 24).Where(i => i % 2 == parity).SelectMany(i => Enumerable.Range(i * 400, 400)).Select(s => (long)s),
                history.Order());
            foreach (var request in history.GroupBy(step => step / 400))
            {
                Assert.Equal(Enumerable.Range((int)request.Key * 400, 400).Select(s => (long)s), request);
            }
        }

        // metrics.seq is the logging order: within each request, it rises with the position in the request.
        Assert.Equal(0, await CountAsync(server, """
            SELECT COUNT(*) FROM (
                SELECT step, lag(step) OVER (PARTITION BY run_uuid, step / 400 ORDER BY seq) AS previous FROM metrics) AS m
            WHERE step % 400 <> 0 AND step <> previous + 1
            """));
    }

    [Fact]
    public async Task Non_finite_values_in_a_group_are_stored_and_summarised()
    {
        await using var server = await TestServer.StartAsync(StoreBackend.Postgres);
        var runId = await CreateRunAsync(server);
        var writer = NewWriter(server);

        await using var blocker = new NpgsqlConnection(BackendStoreUri.Parse(server.Options.BackendStoreUri).ConnectionString);
        var transaction = await HoldMetricsAsync(server, blocker);
        var busy = Enumerable.Range(0, PostgresMetricGroupWriter.MaxGroupsInFlight)
            .Select(_ => writer.WriteAsync(runId, Steps("busy", 1), CancellationToken.None)).ToList();
        var queued = new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 2.5 }
            .Select((value, i) => writer.WriteAsync(runId,
                [new MetricPoint("odd", value, 10 + i, i), new MetricPoint("flat-" + i, value, 10, 0)], CancellationToken.None))
            .ToList();
        await transaction.RollbackAsync(TestContext.Current.CancellationToken);
        await Task.WhenAll(busy.Concat(queued));

        Assert.Equal(["NaN", "Infinity", "-Infinity"],
            (await HistoryAsync(server, runId, "odd")).Take(3).Select(h => h.GetProperty("value").GetString()));
        Assert.Equal(2.5, (await HistoryAsync(server, runId, "odd"))[3].GetProperty("value").GetDouble());
        var summaries = await SummariesAsync(server, runId);
        Assert.Equal(2.5, summaries["odd"].GetDouble()); // the highest step
        Assert.Equal("NaN", summaries["flat-0"].GetString());
        Assert.Equal("Infinity", summaries["flat-1"].GetString());
        Assert.Equal("-Infinity", summaries["flat-2"].GetString());
    }

    [Fact]
    public async Task A_group_with_refusals_and_a_failing_request_stores_the_rest_once()
    {
        await using var server = await TestServer.StartAsync(StoreBackend.Postgres);
        var active = await CreateRunAsync(server);
        var deleted = await CreateRunAsync(server);
        await server.PostOkAsync("runs/delete", new { run_id = deleted });
        var writer = NewWriter(server);

        await using var blocker = new NpgsqlConnection(BackendStoreUri.Parse(server.Options.BackendStoreUri).ConnectionString);
        var transaction = await HoldMetricsAsync(server, blocker);
        var busy = Enumerable.Range(0, PostgresMetricGroupWriter.MaxGroupsInFlight)
            .Select(_ => writer.WriteAsync(active, Steps("busy", 1), CancellationToken.None)).ToList();

        // One group: good requests, requests to a deleted run, and one whose key the column refuses (too long).
        var tooLong = new string('k', 300);
        var kinds = Enumerable.Range(0, 12).Select(i => i switch { 5 => "fails", 2 or 9 => "deleted", _ => "ok" }).ToList();
        var writes = kinds.Select(kind => kind switch
        {
            "fails" => writer.WriteAsync(active, Steps(tooLong, 1), CancellationToken.None),
            "deleted" => writer.WriteAsync(deleted, Steps("ok", 3), CancellationToken.None),
            _ => writer.WriteAsync(active, Steps("ok", 3), CancellationToken.None),
        }).ToList();
        await transaction.RollbackAsync(TestContext.Current.CancellationToken);
        await Task.WhenAll(busy);

        for (var i = 0; i < writes.Count; i++)
        {
            switch (kinds[i])
            {
                case "fails":
                    await Assert.ThrowsAsync<PostgresException>(() => writes[i]);
                    break;
                case "deleted":
                    var refusal = await Assert.ThrowsAsync<FlightdeckException>(() => writes[i]);
                    Assert.Contains("must be in the 'active' state", refusal.Message, StringComparison.Ordinal);
                    break;
                default:
                    await writes[i];
                    break;
            }
        }

        // Nine good requests of three points each, stored once, with their summary; nothing for the deleted run.
        Assert.Equal(Enumerable.Range(0, 9).SelectMany(_ => new long[] { 0, 1, 2 }),
            (await HistoryAsync(server, active, "ok")).Select(h => h.GetProperty("step").GetInt64()));
        Assert.Equal(2, (await SummariesAsync(server, active))["ok"].GetDouble());
        Assert.Equal(0, await CountAsync(server, $"SELECT COUNT(*) FROM metrics WHERE run_uuid = '{deleted}'"));
        Assert.Equal(0, await CountAsync(server, $"SELECT COUNT(*) FROM latest_metrics WHERE run_uuid = '{deleted}'"));
    }

    [Fact]
    public async Task A_run_deleted_between_groups_refuses_later_requests_only()
    {
        await using var server = await TestServer.StartAsync(StoreBackend.Postgres);
        var runId = await CreateRunAsync(server);
        var other = await CreateRunAsync(server);
        var writer = NewWriter(server);

        await writer.WriteAsync(runId, Steps("a", 2), CancellationToken.None);
        await server.PostOkAsync("runs/delete", new { run_id = runId });
        var late = writer.WriteAsync(runId, Steps("a", 2), CancellationToken.None);
        var fine = writer.WriteAsync(other, Steps("a", 2), CancellationToken.None);

        await Assert.ThrowsAsync<FlightdeckException>(() => late);
        await fine;
        Assert.Equal(2, await CountAsync(server, $"SELECT COUNT(*) FROM metrics WHERE run_uuid = '{runId}'"));
        Assert.Equal(2, await CountAsync(server, $"SELECT COUNT(*) FROM metrics WHERE run_uuid = '{other}'"));
    }
}
