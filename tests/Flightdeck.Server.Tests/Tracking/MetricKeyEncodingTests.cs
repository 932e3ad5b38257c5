using System.Text.Json;
using Flightdeck.Server.Tests.Infrastructure;
using static Flightdeck.Server.Tests.Tracking.RunsTests;

namespace Flightdeck.Server.Tests.Tracking;

/// <summary>
/// The SQLite log-batch path binds metric keys as UTF-8 it encodes itself: keys with multi-byte characters, up to the
/// longest allowed, must come back unchanged from the run's summary and from get-history, and stay distinct from
/// keys that share a prefix.
/// </summary>
public sealed class MetricKeyEncodingTests
{
    public static readonly string[] Keys =
    [
        "a",
        "ab",
        "loss/ключ train.é 中文_ü-x",
        "é" + new string('字', 249), // 250 characters, 748 bytes of UTF-8
        new string('m', 250),
    ];

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Multi_byte_and_longest_keys_round_trip_through_log_batch(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        for (var step = 0; step < 3; step++)
        {
            await server.PostOkAsync("runs/log-batch", new
            {
                run_id = runId,
                metrics = Keys.Select((key, i) => new { key, value = i + step / 10.0, timestamp = 1_700_000_000_000L + step, step = (long)step }),
            });
        }

        var summary = (await GetRunAsync(server, runId)).GetProperty("data").GetProperty("metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("key").GetString()!, m => m.GetProperty("value").GetDouble());
        Assert.Equal(Keys.Order(StringComparer.Ordinal), summary.Keys.Order(StringComparer.Ordinal));
        for (var i = 0; i < Keys.Length; i++)
        {
            Assert.Equal(i + 0.2, summary[Keys[i]], 12);
            var history = (await server.GetOkAsync($"metrics/get-history?run_id={runId}&metric_key={Uri.EscapeDataString(Keys[i])}"))
                .GetProperty("metrics").EnumerateArray().ToList();
            Assert.Equal([0L, 1L, 2L], history.Select(p => p.GetProperty("step").GetInt64()));
            Assert.All(history, p => Assert.Equal(Keys[i], p.GetProperty("key").GetString()));
            Assert.Equal(new[] { i + 0.0, i + 0.1, i + 0.2 }, history.Select(p => p.GetProperty("value").GetDouble()));
        }
    }
}
