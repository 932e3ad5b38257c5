using System.Globalization;
using System.Text.Json;
using Flightdeck.Server.Tests.Infrastructure;
using static Flightdeck.Server.Tests.Tracking.RunsTests;

namespace Flightdeck.Server.Tests.Tracking;

/// <summary>
/// get-history writes its body in large blocks of the response: a history many blocks long (with NaN and
/// infinities among the points) must come out whole and in logging order, in one piece and in pages.
/// </summary>
public sealed class LongHistoryTests
{
    private const int Points = 5000;
    private const string Key = "train/loss 1.x";

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_history_of_many_blocks_streams_whole_and_in_order(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        for (var batch = 0; batch < Points / 1000; batch++)
        {
            await server.PostOkAsync("runs/log-batch", new
            {
                run_id = runId,
                metrics = Enumerable.Range(batch * 1000, 1000).Select(i => new
                {
                    key = Key, value = Logged(i), timestamp = 1_700_000_000_000L + i, step = (long)(Points - i),
                }),
            });
        }

        var path = $"metrics/get-history?run_id={runId}&metric_key={Uri.EscapeDataString(Key)}";
        var whole = (await server.GetOkAsync(path)).GetProperty("metrics").EnumerateArray().ToList();
        AssertPoints(whole, 0);

        var paged = new List<JsonElement>();
        string? token = null;
        do
        {
            var page = await server.GetOkAsync(path + "&max_results=1777" + (token is null ? "" : "&page_token=" + Uri.EscapeDataString(token)));
            paged.AddRange(page.GetProperty("metrics").EnumerateArray());
            token = page.TryGetProperty("next_page_token", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        AssertPoints(paged, 0);
    }

    /// <summary>The value logged as point i: mostly long decimals, with a NaN, +inf or -inf every 997th point.</summary>
    private static object Logged(int i) => (i % 997) switch
    {
        1 => "NaN",
        2 => "Infinity",
        3 => "-Infinity",
        _ => 1.0 / (i + 3),
    };

    private static void AssertPoints(List<JsonElement> points, int first)
    {
        Assert.Equal(Points - first, points.Count);
        for (var j = 0; j < points.Count; j++)
        {
            var i = first + j;
            var point = points[j];
            Assert.Equal(Key, point.GetProperty("key").GetString());
            Assert.Equal(1_700_000_000_000L + i, point.GetProperty("timestamp").GetInt64());
            Assert.Equal(Points - i, point.GetProperty("step").GetInt64());
            var value = point.GetProperty("value");
            switch (Logged(i))
            {
                case string special:
                    Assert.Equal(special, value.GetString());
                    break;
                case double number:
                    Assert.Equal(number.ToString("R", CultureInfo.InvariantCulture), value.GetRawText());
                    break;
            }
        }
    }
}
