using System.Text;
using System.Text.Json;
using Dapper;
using Flightdeck.Server.Monitoring;
using Flightdeck.Server.Storage;
using Flightdeck.Serving;
using Flightdeck.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Tests.Monitoring;

/// <summary>The database sink's bulk write, and the retention that deletes old rows in batches.</summary>
public sealed class InferenceLogBulkWriteTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task One_bulk_write_of_many_entries_lands_every_row_with_its_fields(string backend)
    {
        // Given a server and its database sink
        await using var server = await TestServer.StartAsync(backend);
        var sink = server.Services.GetRequiredService<DatabaseInferenceLogSink>();

        // When 1,200 entries are written in one batch, some failed (no outputs) and some outside an endpoint
        await sink.WriteAsync([.. Enumerable.Range(0, 1_200).Select(i => Entry($"bulk-{i}", 1_000 + i, i % 100 == 7 ? null : "bulk"))], Cancel);

        // Then there is one row per entry, and each reads back as written
        var database = server.Services.GetRequiredService<Database>();
        Assert.Equal(1_200, await CountAsync(database));
        using var response = await server.Http.GetAsync("api/flightdeck/v1/inference-log?max_results=10000", Cancel);
        var entries = (await TestServer.ReadOkAsync(response)).GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, 1_200).Select(i => $"bulk-{i}"), entries.Select(e => e.GetProperty("request_id").GetString()));
        var ok = entries[1];
        Assert.Equal(("bulk", "clf", "3", "LIVE", 200, 11L, 1_001L),
            (ok.GetProperty("endpoint").GetString(), ok.GetProperty("model_name").GetString(), ok.GetProperty("version").GetString(),
                ok.GetProperty("role").GetString(), ok.GetProperty("status").GetInt32(), ok.GetProperty("latency_us").GetInt64(),
                ok.GetProperty("time").GetInt64()));
        Assert.Equal("""[{"x":1,"s":"ünïcode \"quoted\""}]""", ok.GetProperty("inputs").GetRawText());
        Assert.Equal("""[{"score":0.5}]""", ok.GetProperty("outputs").GetRawText());
        var failed = entries[7];
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null, 500),
            (failed.GetProperty("endpoint").ValueKind, failed.GetProperty("outputs").ValueKind, failed.GetProperty("status").GetInt32()));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Retention_deletes_only_rows_older_than_the_cutoff_in_batches(string backend)
    {
        // Given 2,500 old rows and 40 recent ones
        await using var server = await TestServer.StartAsync(backend);
        var sink = server.Services.GetRequiredService<DatabaseInferenceLogSink>();
        await sink.WriteAsync([.. Enumerable.Range(0, 2_500).Select(i => Entry($"old-{i}", 1_000 + i, "e"))], Cancel);
        await sink.WriteAsync([.. Enumerable.Range(0, 40).Select(i => Entry($"new-{i}", 10_000 + i, "e"))], Cancel);

        // When everything before time 10,000 is deleted, 300 rows per transaction
        var retention = server.Services.GetRequiredService<InferenceLogRetention>();
        var deleted = await retention.DeleteOlderThanAsync(10_000, Cancel, batch: 300);

        // Then the old rows are gone, the recent ones all remain, and a second pass finds nothing
        Assert.Equal(2_500, deleted);
        var database = server.Services.GetRequiredService<Database>();
        await using var connection = await database.OpenAsync(Cancel);
        var left = (await connection.QueryAsync<string>("SELECT request_id FROM inference_log ORDER BY id")).ToList();
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"new-{i}"), left);
        Assert.Equal(0, await retention.DeleteOlderThanAsync(10_000, Cancel, batch: 300));
    }

    [Fact]
    public async Task A_server_with_a_retention_deletes_old_rows_on_its_schedule()
    {
        // Given a server keeping the inference log for one day, checking every 100 ms
        await using var server = await TestServer.StartAsync(configure: options => options with
        {
            InferenceLogRetention = TimeSpan.FromDays(1),
            InferenceLogRetentionInterval = TimeSpan.FromMilliseconds(100),
        });
        var sink = server.Services.GetRequiredService<DatabaseInferenceLogSink>();
        var now = DateTimeOffset.UtcNow;

        // When rows two days old and one hour old are written
        await sink.WriteAsync([.. Enumerable.Range(0, 50).Select(i => Entry($"stale-{i}", now.AddDays(-2).ToUnixTimeMilliseconds() + i, "e"))], Cancel);
        await sink.WriteAsync([.. Enumerable.Range(0, 5).Select(i => Entry($"fresh-{i}", now.AddHours(-1).ToUnixTimeMilliseconds() + i, "e"))], Cancel);

        // Then the stale ones disappear and the fresh ones stay
        var database = server.Services.GetRequiredService<Database>();
        for (var i = 0; i < 100 && await CountAsync(database) > 5; i++)
            await Task.Delay(100, Cancel);
        await using var connection = await database.OpenAsync(Cancel);
        var left = (await connection.QueryAsync<string>("SELECT request_id FROM inference_log ORDER BY id")).ToList();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"fresh-{i}"), left);
    }

    private static InferenceLogEntry Entry(string requestId, long time, string? endpoint)
    {
        var failed = requestId.EndsWith("-7", StringComparison.Ordinal);
        return new InferenceLogEntry
        {
            RequestId = requestId,
            Endpoint = failed ? null : endpoint,
            ModelName = "clf",
            Version = "3",
            Role = "LIVE",
            InputsJson = Encoding.UTF8.GetBytes("""[{"x":1,"s":"ünïcode \"quoted\""}]"""),
            OutputsJson = failed ? null : """[{"score":0.5}]"""u8.ToArray(),
            Status = failed ? 500 : 200,
            Error = failed ? "boom" : null,
            LatencyUs = 10 + (time % 10),
            Time = time,
        };
    }

    private static async Task<long> CountAsync(Database database)
    {
        await using var connection = await database.OpenAsync(Cancel);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM inference_log");
    }
}
