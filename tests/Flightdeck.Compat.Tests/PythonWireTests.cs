using Flightdeck.Server.Tests.Infrastructure;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flightdeck.Compat.Tests.Infrastructure;

namespace Flightdeck.Compat.Tests;

/// <summary>
/// python/mlflow_wire_check.py speaks to a real server the way MLflow's Python client does (int64 as strings,
/// NaN/Infinity as strings, run_uuid-only bodies, repeated query keys, proxied artifact PUT/GET); the test checks
/// the script's report and reads the stored state back over HTTP.
/// </summary>
public sealed class PythonWireTests
{
    private const long T0 = 1700000000000;

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Python_client_wire_habits_are_understood_and_stored_faithfully(string backend)
    {
        // Given
        await using var server = await TestServer.StartAsync(backend);
        var summaryFile = Path.Combine(server.WorkDir, "python-summary.json");

        // When
        var result = await ExternalProcess.RunAsync(
            "python3", ["mlflow_wire_check.py", server.TrackingUrl, summaryFile], CompatScripts.PythonDirectory, TimeSpan.FromMinutes(2));

        // Then: every call was answered 200 and the script's own checks held
        Assert.True(File.Exists(summaryFile),
            $"the script wrote no summary (is the 'requests' package installed for python3?): {result.Describe()}");
        var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile, TestContext.Current.CancellationToken)).RootElement;
        var failed = summary.GetProperty("steps").EnumerateArray().Where(s => !s.GetProperty("ok").GetBoolean()).Select(s => s.ToString()).ToList();
        Assert.True(result.ExitCode == 0 && failed.Count == 0,
            $"failed steps: {string.Join("; ", failed)}\n{(summary.TryGetProperty("failure", out var failure) ? failure : "")}\n{result.Describe()}");

        var runId = summary.GetProperty("run_id").GetString()!;
        var otherRunId = summary.GetProperty("other_run_id").GetString()!;
        AssertExperimentOrdering(summary);
        await AssertRunStoredAsync(server, runId);
        await AssertSpecialValuesRoundTripAsync(server, runId);
        AssertBulkInterval(summary, runId, otherRunId);
        await AssertArtifactStoredAsync(server, runId, summary);
        await AssertOddValuesAndNamesStoredAsync(server, runId, otherRunId);
    }

    private static async Task AssertOddValuesAndNamesStoredAsync(TestServer server, string runId, string otherRunId)
    {
        var odd = (await server.GetOkAsync($"metrics/get-history?run_id={otherRunId}&metric_key=odd")).GetProperty("metrics");
        Assert.Equal([double.NaN, double.NegativeInfinity], odd.EnumerateArray().Select(m => MetricValue(m.GetProperty("value"))));
        var run = (await server.GetOkAsync($"runs/get?run_id={otherRunId}")).GetProperty("run");
        Assert.Equal("active", run.GetProperty("info").GetProperty("lifecycle_stage").GetString());

        var listing = await server.GetOkAsync($"artifacts/list?run_id={runId}&path={Uri.EscapeDataString("dir a")}");
        var file = listing.GetProperty("files").EnumerateArray().Single();
        Assert.Equal("dir a/empty ü.txt", file.GetProperty("path").GetString());
        Assert.Equal(0, file.TryGetProperty("file_size", out var size) ? size.GetInt64() : 0);
    }

    private static void AssertExperimentOrdering(JsonElement summary)
    {
        var ascending = summary.GetProperty("experiments_asc").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(3, ascending.Count);
        Assert.Equal(ascending.Order(StringComparer.Ordinal), ascending);
        Assert.Equal(ascending.AsEnumerable().Reverse(), summary.GetProperty("experiments_desc").EnumerateArray().Select(e => e.GetString()!));
    }

    private static async Task AssertRunStoredAsync(TestServer server, string runId)
    {
        var run = (await server.GetOkAsync($"runs/get?run_id={runId}")).GetProperty("run");
        var info = run.GetProperty("info");
        Assert.Equal(T0, info.GetProperty("start_time").GetInt64());
        Assert.Equal(T0 + 9999, info.GetProperty("end_time").GetInt64());
        Assert.Equal("FINISHED", info.GetProperty("status").GetString());
        Assert.Equal("py-run", info.GetProperty("run_name").GetString());
        Assert.Equal("pywire", info.GetProperty("user_id").GetString());

        var data = run.GetProperty("data");
        var tags = data.GetProperty("tags").EnumerateArray().ToDictionary(t => t.GetProperty("key").GetString()!, t => t.GetProperty("value").GetString());
        Assert.Equal("python", tags["wire"]);
        var parameters = data.GetProperty("params").EnumerateArray().ToDictionary(p => p.GetProperty("key").GetString()!, p => p.GetProperty("value").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["alpha"] = "0.5", ["scale"] = "1.0" }, parameters);

        // The run's summary value is the one with the highest step (MLflow orders by step, timestamp, value).
        var latest = data.GetProperty("metrics").EnumerateArray().ToDictionary(m => m.GetProperty("key").GetString()!, m => MetricValue(m.GetProperty("value")));
        Assert.Equal(double.PositiveInfinity, latest["loss"]);
        Assert.Equal(double.NegativeInfinity, latest["floor"]);
        Assert.Equal(0.9, latest["acc"], 12);
    }

    private static async Task AssertSpecialValuesRoundTripAsync(TestServer server, string runId)
    {
        var loss = (await server.GetOkAsync($"metrics/get-history?run_id={runId}&metric_key=loss")).GetProperty("metrics").EnumerateArray().ToList();
        Assert.Equal([1L, 2, 3], loss.Select(m => m.GetProperty("step").GetInt64()));
        Assert.Equal([T0 + 1, T0 + 2, T0 + 3], loss.Select(m => m.GetProperty("timestamp").GetInt64()));
        Assert.Equal([0.5, double.NaN, double.PositiveInfinity], loss.Select(m => MetricValue(m.GetProperty("value"))));

        var floor = (await server.GetOkAsync($"metrics/get-history?run_id={runId}&metric_key=floor")).GetProperty("metrics").EnumerateArray().Single();
        Assert.Equal(double.NegativeInfinity, MetricValue(floor.GetProperty("value")));
        var step = floor.TryGetProperty("step", out var s) ? s.GetInt64() : 0;
        Assert.Equal(0, step); // a metric logged without a step is stored at step 0
    }

    private static void AssertBulkInterval(JsonElement summary, string runId, string otherRunId)
    {
        var sampled = summary.GetProperty("bulk_sampled").EnumerateArray()
            .Select(m => (Run: m.GetProperty("run_id").GetString()!, Step: m.GetProperty("step").GetInt64(), Value: m.GetProperty("value").GetDouble()))
            .ToList();
        Assert.Equal(sampled.Select(m => m.Run).Order(StringComparer.Ordinal), sampled.Select(m => m.Run)); // runs sorted by id
        foreach (var (id, scale) in new[] { (runId, 1.0), (otherRunId, 2.0) })
        {
            var steps = sampled.Where(m => m.Run == id).ToList();
            Assert.InRange(steps.Count, 2, 5);
            Assert.Equal(0, steps[0].Step);
            Assert.Equal(9, steps[^1].Step);
            Assert.Equal(steps.Select(m => m.Step).Order(), steps.Select(m => m.Step));
            Assert.All(steps, m => Assert.Equal(scale * m.Step / 10, m.Value, 12));
        }

        var window = summary.GetProperty("bulk_window").EnumerateArray().ToList();
        Assert.All(window, m => Assert.Equal(runId, m.GetProperty("run_id").GetString()));
        Assert.Equal([2L, 3, 4, 5, 6], window.Select(m => m.GetProperty("step").GetInt64()));
    }

    private static async Task AssertArtifactStoredAsync(TestServer server, string runId, JsonElement summary)
    {
        // The same bytes the script uploaded: 0..255 repeated 64 times, then a UTF-8 tail.
        var expected = Enumerable.Repeat(Enumerable.Range(0, 256).Select(i => (byte)i), 64).SelectMany(b => b)
            .Concat(Encoding.UTF8.GetBytes("ünïcode ✓")).ToArray();
        Assert.Equal(expected.Length, summary.GetProperty("artifact_size").GetInt32());
        var viaRun = await server.Http.GetByteArrayAsync($"get-artifact?run_id={runId}&path=data/weights.bin", TestContext.Current.CancellationToken);
        Assert.Equal(expected, viaRun);

        var proxied = summary.GetProperty("proxied_listing").EnumerateArray().Single();
        Assert.Equal("weights.bin", proxied.GetProperty("path").GetString());
        Assert.Equal(expected.Length, proxied.GetProperty("file_size").GetInt64());
        var listed = summary.GetProperty("run_listing").EnumerateArray().Single();
        Assert.Equal("data/weights.bin", listed.GetProperty("path").GetString());
        Assert.False(listed.GetProperty("is_dir").GetBoolean());
    }

    /// <summary>A metric value as MLflow writes it: a JSON number, or "NaN" / "Infinity" / "-Infinity" as strings.</summary>
    private static double MetricValue(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetDouble();
}
