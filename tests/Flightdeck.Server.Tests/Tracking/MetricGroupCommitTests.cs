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
/// PostgreSQL's group commit of metric-only batches: requests queued together share one statement, yet each keeps
/// its own outcome. The writer is driven directly so that requests really do queue (only a few groups run at once).
/// </summary>
public sealed class MetricGroupCommitTests
{
    private const string MissingRun = "0123456789abcdef0123456789abcdef";

    private static PostgresMetricGroupWriter NewWriter(TestServer server) => new(server.Services.GetRequiredService<Database>());

    private static List<MetricPoint> Points(string key, int count, long step = 0) =>
        Enumerable.Range(0, count).Select(i => new MetricPoint(key, i, 1000 + i, step + i)).ToList();

    private static async Task<List<JsonElement>> HistoryAsync(TestServer server, string runId, string key) =>
        (await server.GetOkAsync($"metrics/get-history?run_id={runId}&metric_key={Uri.EscapeDataString(key)}"))
            .GetProperty("metrics").EnumerateArray().ToList();

    private static async Task<JsonElement?> SummaryAsync(TestServer server, string runId, string key)
    {
        var metrics = (await GetRunAsync(server, runId)).GetProperty("data");
        return metrics.TryGetProperty("metrics", out var list)
            ? list.EnumerateArray().Where(m => m.GetProperty("key").GetString() == key).Select(m => (JsonElement?)m).FirstOrDefault()
            : null;
    }

    [Fact]
    public async Task Queued_requests_to_several_runs_each_get_their_own_outcome()
    {
        await using var server = await TestServer.StartAsync(StoreBackend.Postgres);
        var active = new[] { await CreateRunAsync(server), await CreateRunAsync(server) };
        var deleted = await CreateRunAsync(server);
        await server.PostOkAsync("runs/delete", new { run_id = deleted });
        var writer = NewWriter(server);

        var targets = Enumerable.Range(0, 40).Select(i => (i % 4) switch { 0 => active[0], 1 => active[1], 2 => deleted, _ => MissingRun }).ToList();
        var writes = targets.Select(run => writer.WriteAsync(run, Points("loss", 5), CancellationToken.None)).ToList();

        for (var i = 0; i < writes.Count; i++)
        {
            if (targets[i] == deleted)
            {
                var refusal = await Assert.ThrowsAsync<FlightdeckException>(() => writes[i]);
                Assert.Equal(ErrorCode.InvalidParameterValue, refusal.ErrorCode);
                Assert.Contains("must be in the 'active' state", refusal.Message, StringComparison.Ordinal);
            }
            else if (targets[i] == MissingRun)
            {
                var refusal = await Assert.ThrowsAsync<FlightdeckException>(() => writes[i]);
                Assert.Equal(ErrorCode.ResourceDoesNotExist, refusal.ErrorCode);
            }
            else
            {
                await writes[i];
            }
        }

        foreach (var run in active)
        {
            var history = await HistoryAsync(server, run, "loss");
            Assert.Equal(50, history.Count);
            // Each request's points keep their logging order (steps 0..4 repeated).
            Assert.Equal(Enumerable.Range(0, 10).SelectMany(_ => Enumerable.Range(0, 5)).Select(s => (long)s),
                history.Select(h => h.GetProperty("step").GetInt64()));
        }

        Assert.Empty(await HistoryAsync(server, deleted, "loss"));
    }

    [Fact]
    public async Task A_request_the_database_rejects_fails_alone_and_the_rest_of_its_group_is_stored()
    {
        await using var server = await TestServer.StartAsync(StoreBackend.Postgres);
        var runId = await CreateRunAsync(server);
        var writer = NewWriter(server);

        // A key past the column's 250 characters (validation normally stops it) makes the group's statement fail.
        var tooLong = new string('k', 300);
        var writes = Enumerable.Range(0, 30)
            .Select(i => writer.WriteAsync(runId, i == 17 ? Points(tooLong, 1) : Points("ok", 2), CancellationToken.None))
            .ToList();

        for (var i = 0; i < writes.Count; i++)
        {
            if (i == 17)
            {
                await Assert.ThrowsAsync<PostgresException>(() => writes[i]);
            }
            else
            {
                await writes[i];
            }
        }

        Assert.Equal(58, (await HistoryAsync(server, runId, "ok")).Count);
        Assert.Null(await SummaryAsync(server, runId, tooLong));
    }

    [Fact]
    public async Task Concurrent_groups_on_one_run_keep_the_newest_point_as_the_summary()
    {
        await using var server = await TestServer.StartAsync(StoreBackend.Postgres);
        var runId = await CreateRunAsync(server);
        var writer = NewWriter(server);

        // Steps shuffled across 200 requests: whichever group commits last, the summary is the max by (step, timestamp, value).
        var random = new Random(7);
        var steps = Enumerable.Range(0, 200).OrderBy(_ => random.Next()).ToList();
        await Task.WhenAll(steps.Select(step => Task.Run(() => writer.WriteAsync(runId,
            [new MetricPoint("acc", step, 5, step), new MetricPoint("nan", double.NaN, 5, 0), new MetricPoint("tie", step, 5, 1)],
            CancellationToken.None))));

        var acc = (await SummaryAsync(server, runId, "acc"))!.Value;
        Assert.Equal(199, acc.GetProperty("step").GetInt64());
        Assert.Equal(199, acc.GetProperty("value").GetDouble());
        Assert.Equal("NaN", (await SummaryAsync(server, runId, "nan"))!.Value.GetProperty("value").GetString());
        Assert.Equal(199, (await SummaryAsync(server, runId, "tie"))!.Value.GetProperty("value").GetDouble()); // same step and time: max value
        Assert.Equal(200, (await HistoryAsync(server, runId, "acc")).Count);
    }

    [Fact]
    public async Task A_request_cancelled_while_queued_returns_at_once_and_writes_nothing()
    {
        await using var server = await TestServer.StartAsync(StoreBackend.Postgres);
        var runId = await CreateRunAsync(server);
        var writer = NewWriter(server);

        // Block every group on a table lock, so that the next request queues behind the busy ones.
        await using var blocker = new NpgsqlConnection(BackendStoreUri.Parse(server.Options.BackendStoreUri).ConnectionString);
        await blocker.OpenAsync(TestContext.Current.CancellationToken);
        await using var transaction = await blocker.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE metrics IN EXCLUSIVE MODE", blocker, transaction))
        {
            await lockTable.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var busy = Enumerable.Range(0, PostgresMetricGroupWriter.MaxGroupsInFlight)
            .Select(_ => writer.WriteAsync(runId, Points("busy", 1), CancellationToken.None)).ToList();
        using var cancel = new CancellationTokenSource();
        var queued = writer.WriteAsync(runId, Points("cancelled", 1), cancel.Token);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.False(queued.IsCompleted);
        Assert.All(busy, b => Assert.False(b.IsCompleted)); // nothing is acknowledged before its commit

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => writer.WriteAsync(runId, Points("late", 1), cancel.Token));

        await transaction.RollbackAsync(TestContext.Current.CancellationToken);
        await Task.WhenAll(busy);
        Assert.Equal(PostgresMetricGroupWriter.MaxGroupsInFlight, (await HistoryAsync(server, runId, "busy")).Count);
        Assert.Empty(await HistoryAsync(server, runId, "cancelled"));
        Assert.Empty(await HistoryAsync(server, runId, "late"));

        // The writer keeps working after all this.
        await writer.WriteAsync(runId, Points("after", 2), CancellationToken.None);
        Assert.Equal(2, (await HistoryAsync(server, runId, "after")).Count);
    }
}

/// <summary>
/// Migration 0009 drops the metric tables' foreign keys to runs on PostgreSQL, so garbage collection deletes a purged
/// run's metric rows itself; SQLite keeps its cascading keys.
/// </summary>
public sealed class MetricRowsWithoutForeignKeyTests
{
    private static async Task<long> CountAsync(TestServer server, string sql)
    {
        await using var connection = await server.Services.GetRequiredService<Database>().OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Gc_deletes_the_metric_rows_of_purged_runs_and_experiments(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var kept = await CreateRunAsync(server);
        var doomed = await CreateRunAsync(server);
        var experimentId = (await server.PostOkAsync("experiments/create", new { name = "purged" })).GetProperty("experiment_id").GetString()!;
        var inExperiment = await CreateRunAsync(server, experimentId);
        foreach (var run in new[] { kept, doomed, inExperiment })
        {
            await server.PostOkAsync("runs/log-batch", new
            {
                run_id = run,
                metrics = new[] { new { key = "a", value = 1.0, timestamp = 1L, step = 0L }, new { key = "b", value = 2.0, timestamp = 1L, step = 0L } },
            });
        }

        await server.PostOkAsync("runs/delete", new { run_id = doomed });
        await server.PostOkAsync("experiments/delete", new { experiment_id = experimentId });
        using var gc = await server.Http.PostAsync("api/flightdeck/v1/gc", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        await TestServer.ReadOkAsync(gc);

        foreach (var table in new[] { "metrics", "latest_metrics" })
        {
            Assert.Equal(0, await CountAsync(server, $"SELECT COUNT(*) FROM {table} WHERE run_uuid IN ('{doomed}', '{inExperiment}')"));
            Assert.Equal(2, await CountAsync(server, $"SELECT COUNT(*) FROM {table} WHERE run_uuid = '{kept}'"));
        }
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Only_PostgreSQL_drops_the_metric_foreign_keys(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var sql = backend == StoreBackend.Postgres
            ? "SELECT COUNT(*) FROM information_schema.table_constraints WHERE constraint_type = 'FOREIGN KEY' AND table_name IN ('metrics', 'latest_metrics')"
            : "SELECT (SELECT COUNT(*) FROM pragma_foreign_key_list('metrics')) + (SELECT COUNT(*) FROM pragma_foreign_key_list('latest_metrics'))";
        Assert.Equal(backend == StoreBackend.Postgres ? 0 : 2, await CountAsync(server, sql));
        Assert.Contains(9, await server.Services.GetRequiredService<Migrator>().AppliedVersionsAsync(TestContext.Current.CancellationToken));
    }
}
