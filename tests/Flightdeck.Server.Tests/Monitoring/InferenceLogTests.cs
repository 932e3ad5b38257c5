using System.Net;
using System.Text.Json;
using Flightdeck.Models;
using Flightdeck.Serving;
using Flightdeck.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Tests.Monitoring;

public sealed class InferenceLogTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Endpoint_inferences_reach_the_inference_log_table_and_read_back_by_endpoint_and_time(string backend)
    {
        // Given a server, whose observers are told about inferences the way managed endpoints tell them
        await using var server = await TestServer.StartAsync(backend);
        var observers = server.Services.GetServices<IInferenceObserver>().ToList();
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);

        // When 30 inferences of endpoint "churn" and 5 of "fraud" are observed, one of them failed
        for (var i = 0; i < 35; i++)
        {
            var record = Record($"req-{i}", i < 30 ? "churn" : "fraud", start.AddSeconds(i));
            if (i == 3)
                record = record with { Output = null, StatusCode = 500, Error = "boom" };
            foreach (var observer in observers)
                observer.OnInference(record);
        }
        var all = await WaitForEntriesAsync(server, "inference-log?endpoint=churn&max_results=100", 30);

        // Then the rows are stored with their JSON inputs and outputs, and the API filters and pages by time
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"req-{i}"), all.Select(e => e.GetProperty("request_id").GetString()));
        var first = all[0];
        Assert.Equal(("churn", "clf", "2", "CANDIDATE", 200, 1500L, start.ToUnixTimeMilliseconds()),
            (first.GetProperty("endpoint").GetString(), first.GetProperty("model_name").GetString(), first.GetProperty("version").GetString(),
                first.GetProperty("role").GetString(), first.GetProperty("status").GetInt32(), first.GetProperty("latency_us").GetInt64(),
                first.GetProperty("time").GetInt64()));
        Assert.Equal("""[{"Age":40,"Region":"north"},{"Age":41,"Region":"south"}]""", first.GetProperty("inputs").GetRawText());
        Assert.Equal("""[{"Score":0.25},{"Score":0.75}]""", first.GetProperty("outputs").GetRawText());
        Assert.Equal((500, JsonValueKind.Null), (all[3].GetProperty("status").GetInt32(), all[3].GetProperty("outputs").ValueKind));

        var page = await GetEntriesAsync(server, $"inference-log?endpoint=churn&since={start.AddSeconds(10).ToUnixTimeMilliseconds()}&max_results=5");
        Assert.Equal(Enumerable.Range(10, 5).Select(i => $"req-{i}"), page.Select(e => e.GetProperty("request_id").GetString()));
        var fraud = await WaitForEntriesAsync(server, "inference-log?endpoint=fraud", 5);
        Assert.All(fraud, e => Assert.Equal("fraud", e.GetProperty("endpoint").GetString()));
        Assert.Equal(35, (await GetEntriesAsync(server, "inference-log")).Count);
    }

    [Theory]
    [InlineData("since=yesterday")]
    [InlineData("since=-5")]
    [InlineData("max_results=0")]
    [InlineData("max_results=10001")]
    public async Task Bad_query_parameters_are_answered_400(string query)
    {
        await using var server = await TestServer.StartAsync();

        using var response = await server.Http.GetAsync("api/flightdeck/v1/inference-log?" + query, Cancel);

        var message = await TestServer.ReadErrorAsync(response, 400, "INVALID_PARAMETER_VALUE");
        Assert.Contains(query.Split('=')[0], message);
    }

    [Fact]
    public async Task The_server_wide_sample_rate_applies_to_endpoints()
    {
        await using var server = await TestServer.StartAsync(configure: options => options with { InferenceLogSampleRate = 0 });
        var logger = server.Services.GetRequiredService<InferenceLogger>();

        foreach (var observer in server.Services.GetServices<IInferenceObserver>())
            observer.OnInference(Record("unsampled", "churn", DateTimeOffset.UtcNow));
        await Task.Delay(200, Cancel);

        Assert.Empty(await GetEntriesAsync(server, "inference-log"));
        Assert.Equal(0, logger.Written + logger.Queued);
    }

    [Fact]
    public async Task Metrics_show_http_runtime_and_endpoint_inference_series()
    {
        await using var server = await TestServer.StartAsync();
        foreach (var observer in server.Services.GetServices<IInferenceObserver>())
            observer.OnInference(Record("metered", "metrics-endpoint", DateTimeOffset.UtcNow));
        (await server.Http.GetAsync("health", Cancel)).Dispose();

        var text = "";
        for (var i = 0; i < 50 && !text.Contains("http_server_request_duration_seconds", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100, Cancel);
            using var response = await server.Http.GetAsync("metrics", Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync(Cancel);
        }

        Assert.Contains("http_server_request_duration_seconds_bucket{", text);
        Assert.Contains("dotnet_gc_", text);
        var requests = text.Split('\n').Where(l => l.StartsWith("flightdeck_serving_requests_total{", StringComparison.Ordinal)
            && l.Contains("endpoint=\"metrics-endpoint\"", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(requests);
        Assert.Contains("model=\"clf\"", line);
        Assert.Contains("version=\"2\"", line);
        Assert.Contains("role=\"CANDIDATE\"", line);
        Assert.Contains("status_class=\"2xx\"", line);
        Assert.Equal("1", line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0]);
    }

    private static InferenceRecord Record(string requestId, string endpoint, DateTimeOffset time) => new()
    {
        RequestId = requestId,
        Endpoint = endpoint,
        ModelName = "clf",
        Version = "2",
        Role = "CANDIDATE",
        Input = new DataBatch(BatchColumn.FromInt32s("Age", [40, 41]), BatchColumn.FromStrings("Region", ["north", "south"])),
        Output = new DataBatch(BatchColumn.FromSingles("Score", [0.25f, 0.75f])),
        StatusCode = 200,
        Latency = TimeSpan.FromMicroseconds(1500),
        Timestamp = time,
    };

    private static async Task<List<JsonElement>> GetEntriesAsync(TestServer server, string pathAndQuery)
    {
        using var response = await server.Http.GetAsync("api/flightdeck/v1/" + pathAndQuery, Cancel);
        var body = await TestServer.ReadOkAsync(response);
        return [.. body.GetProperty("entries").EnumerateArray()];
    }

    /// <summary>The log is written in the background: polls until <paramref name="count"/> entries are there.</summary>
    private static async Task<List<JsonElement>> WaitForEntriesAsync(TestServer server, string pathAndQuery, int count)
    {
        for (var i = 0; ; i++)
        {
            var entries = await GetEntriesAsync(server, pathAndQuery);
            if (entries.Count >= count || i == 100)
                return entries;
            await Task.Delay(100, Cancel);
        }
    }
}
