using System.Net;
using System.Text;
using System.Text.Json;
using Flightdeck.Models;
using Flightdeck.Serving.Tests.Infrastructure;

namespace Flightdeck.Serving.Tests.Observability;

public sealed class JsonLinesInferenceLogTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_serving_process_logs_its_inferences_as_json_lines_and_flushes_them_on_shutdown()
    {
        // Given a serving process with an inference log folder
        var folder = Directory.CreateTempSubdirectory("flightdeck-inference-log-").FullName;
        var host = new ModelHost();
        await host.LoadAsync("logged", "4", TinyModel.Instance.PackageDirectory, loadOptions: new ModelLoadOptions { Flavor = ModelFlavors.MlNet });
        var server = await ServingServer.StartAsync(host, new ServingOptions { InferenceLogDirectory = folder });
        var rows = TinyModel.Generate(2, seed: 9);

        // When it answers forty requests and one bad one, and stops at once
        var replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => PostAsync(server, Payloads.DataframeSplit(rows), $"req-{i}")));
        var bad = await PostAsync(server, """{"dataframe_split": {"columns": ["F1"], "data": [["x"]]}}""", "req-bad");
        await server.StopAsync();
        await server.DisposeAsync();

        // Then every inference is a line with its id, model, inputs and outputs as records, status and latency
        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var files = Directory.GetFiles(folder, "inference-*.jsonl");
        Assert.Matches(@"inference-\d{8}-\d{2}\.jsonl$", Assert.Single(files));
        var lines = File.ReadAllLines(files[0]).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(41, lines.Count);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"req-{i}").Append("req-bad").Order(),
            lines.Select(l => l.GetProperty("request_id").GetString()!).Order());
        var line = lines.Single(l => l.GetProperty("request_id").GetString() == "req-0");
        Assert.Equal(JsonValueKind.Null, line.GetProperty("endpoint").ValueKind);
        Assert.Equal(("logged", "4", "LIVE", 200), (line.GetProperty("model_name").GetString(), line.GetProperty("version").GetString(),
            line.GetProperty("role").GetString(), line.GetProperty("status").GetInt32()));
        var inputs = line.GetProperty("inputs");
        Assert.Equal(2, inputs.GetArrayLength());
        Assert.Equal(rows[0].Region, inputs[0].GetProperty("Region").GetString());
        Assert.Equal(rows[1].Age, inputs[1].GetProperty("Age").GetInt32());
        Assert.Equal(2, line.GetProperty("outputs").GetArrayLength());
        Assert.True(line.GetProperty("latency_us").GetInt64() > 0);
        Assert.InRange(line.GetProperty("time").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(),
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var failed = lines.Single(l => l.GetProperty("request_id").GetString() == "req-bad");
        Assert.Equal((400, JsonValueKind.Null), (failed.GetProperty("status").GetInt32(), failed.GetProperty("outputs").ValueKind));
        Assert.False(string.IsNullOrEmpty(failed.GetProperty("error").GetString()));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task The_sample_rate_thins_the_log()
    {
        var folder = Directory.CreateTempSubdirectory("flightdeck-inference-log-").FullName;
        var host = new ModelHost();
        await host.LoadAsync("sampled", "1", TinyModel.Instance.PackageDirectory, loadOptions: new ModelLoadOptions { Flavor = ModelFlavors.MlNet });
        var server = await ServingServer.StartAsync(host, new ServingOptions { InferenceLogDirectory = folder, InferenceLogSampleRate = 0.2 });
        var body = Payloads.DataframeSplit(TinyModel.Generate(1, seed: 1));

        for (var i = 0; i < 300; i += 30)
            await Task.WhenAll(Enumerable.Range(i, 30).Select(n => PostAsync(server, body, $"sample-{n}")));
        await server.DisposeAsync();

        var logged = Directory.GetFiles(folder).SelectMany(File.ReadAllLines).Count();
        Assert.InRange(logged, 30, 90);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_large_batch_is_one_line_per_entry_in_order_with_null_outputs_for_failures()
    {
        var folder = Directory.CreateTempSubdirectory("flightdeck-inference-log-").FullName;
        var sink = new JsonLinesInferenceLogSink(folder);
        var entries = Enumerable.Range(0, 20_000).Select(i => new InferenceLogEntry
        {
            RequestId = $"r{i}", ModelName = "m", Version = "1", Role = "LIVE", InputsJson = Encoding.UTF8.GetBytes($$"""[{"i":{{i}},"s":"é"}]"""),
            OutputsJson = i % 3 == 0 ? null : """[{"y":2}]"""u8.ToArray(), Status = i % 3 == 0 ? 500 : 200, LatencyUs = i, Time = 1,
        }).ToList();

        // More than the sink gathers before writing (1 MiB), in one call
        await sink.WriteAsync(entries, Cancel);
        await sink.DisposeAsync();

        var lines = File.ReadAllLines(Assert.Single(Directory.GetFiles(folder))).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(Enumerable.Range(0, 20_000), lines.Select(l => l.GetProperty("inputs")[0].GetProperty("i").GetInt32()));
        Assert.All(lines.Where((_, i) => i % 3 == 0), l => Assert.Equal(JsonValueKind.Null, l.GetProperty("outputs").ValueKind));
        Assert.All(lines.Where((_, i) => i % 3 != 0), l => Assert.Equal(2, l.GetProperty("outputs")[0].GetProperty("y").GetInt32()));
        Assert.Equal("é", lines[5].GetProperty("inputs")[0].GetProperty("s").GetString());
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Files_rotate_when_full_and_every_hour()
    {
        var folder = Directory.CreateTempSubdirectory("flightdeck-inference-log-").FullName;
        var clock = new ManualClock(new DateTimeOffset(2026, 3, 1, 13, 59, 0, TimeSpan.Zero));
        var sink = new JsonLinesInferenceLogSink(folder, maxFileBytes: 600, clock);
        var entry = new InferenceLogEntry
        {
            RequestId = "r", ModelName = "m", Version = "1", Role = "LIVE", InputsJson = """[{"x":1}]"""u8.ToArray(), OutputsJson = """[{"y":2}]"""u8.ToArray(),
            Status = 200, LatencyUs = 10, Time = 1,
        };

        await sink.WriteAsync(Enumerable.Repeat(entry, 8).ToList(), Cancel);
        clock.Now = clock.Now.AddMinutes(2);
        await sink.WriteAsync([entry], Cancel);
        await sink.DisposeAsync();

        var files = Directory.GetFiles(folder).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["inference-20260301-13.1.jsonl", "inference-20260301-13.jsonl", "inference-20260301-14.jsonl"], files);
        var lines = Directory.GetFiles(folder).SelectMany(File.ReadAllLines).ToList();
        Assert.Equal(9, lines.Count);
        Assert.All(lines, l => Assert.Equal(2, JsonDocument.Parse(l).RootElement.GetProperty("outputs")[0].GetProperty("y").GetInt32()));
        Assert.True(new FileInfo(Path.Combine(folder, "inference-20260301-13.jsonl")).Length >= 600);
        Directory.Delete(folder, recursive: true);
    }

    private static async Task<HttpResponseMessage> PostAsync(ServingServer server, string json, string requestId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "invocations") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Request-Id", requestId);
        return await server.Http.SendAsync(request, Cancel);
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
