using System.Globalization;
using System.Net;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Robustness;

/// <summary>
/// The seeded fuzz sweep over every tracking endpoint. Set FLIGHTDECK_FUZZ_SEED to replay or vary a run;
/// PostgreSQL gets every third case to keep the pair under a minute.
/// </summary>
public sealed class FuzzSweepTests
{
    private const string Prefix = "api/2.0/mlflow/";

    private static int Seed =>
        int.TryParse(Environment.GetEnvironmentVariable("FLIGHTDECK_FUZZ_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : 1729;

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Garbage_never_gets_a_5xx_and_a_refused_request_writes_nothing(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await using var runner = await FuzzRunner.StartAsync(server);
        var stride = backend == StoreBackend.Sqlite ? 1 : 3;

        foreach (var endpoint in TrackingEndpoints.All)
        {
            var random = new Random(unchecked(Seed * 31 + StableHash(endpoint.ToString())));
            var (experimentId, experimentName, runId) = await CreateTargetsAsync(server, endpoint);
            var generator = new FuzzCaseGenerator(runId, experimentId, experimentName, random);
            await runner.RefreshAsync();
            await CheckValidRequestAsync(runner, generator, endpoint);

            var index = 0;
            foreach (var fuzzCase in generator.CasesFor(endpoint, Prefix))
            {
                if (index++ % stride == 0)
                {
                    await runner.SendAsync(fuzzCase);
                }
            }
        }

        foreach (var (elapsed, slow) in runner.Timings.OrderByDescending(t => t.Elapsed).Take(10))
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{elapsed.TotalMilliseconds,8:F0} ms  {slow}");
        }

        Assert.True(runner.Failures.Count == 0,
            $"seed {Seed}, {runner.Failures.Count} of {runner.Sent} cases failed:\n" + string.Join("\n", runner.Failures.Take(40)));
    }

    /// <summary>The unmutated request succeeds on both route prefixes, so the sweep's cases reach the handler's depths.</summary>
    private static async Task CheckValidRequestAsync(FuzzRunner runner, FuzzCaseGenerator generator, FuzzEndpoint endpoint)
    {
        foreach (var prefix in new[] { Prefix, "ajax-api/2.0/mlflow/" })
        {
            var valid = generator.Valid(endpoint);
            var fuzzCase = endpoint.IsQuery
                ? new FuzzCase("valid", "GET", endpoint.PathUnder(prefix) + "?" + ToQuery(valid), null, MustFail: false)
                : new FuzzCase("valid", endpoint.Method, endpoint.PathUnder(prefix), System.Text.Encoding.UTF8.GetBytes(valid), MustFail: false);
            var (status, body) = await runner.SendAsync(fuzzCase);
            var unrouted = body.Contains("ENDPOINT_NOT_FOUND", StringComparison.Ordinal);

            // Deletes are not idempotent: the second prefix only has to reach the handler.
            Assert.True(prefix == Prefix ? status == HttpStatusCode.OK : !unrouted, $"{fuzzCase}: {(int)status} {body}");
        }
    }

    private static string ToQuery(string json)
    {
        var pairs = new List<string>();
        foreach (var property in System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateObject())
        {
            var values = property.Value.ValueKind == System.Text.Json.JsonValueKind.Array
                ? property.Value.EnumerateArray().Select(v => v.GetString()!)
                : [property.Value.GetString()!];
            pairs.AddRange(values.Select(v => $"{property.Name}={Uri.EscapeDataString(v)}"));
        }

        return string.Join("&", pairs);
    }

    /// <summary>A fresh experiment and run per endpoint, with a metric to read back, so no endpoint's cases starve another's.</summary>
    private static async Task<(string ExperimentId, string ExperimentName, string RunId)> CreateTargetsAsync(TestServer server, FuzzEndpoint endpoint)
    {
        var name = $"fuzz {endpoint} {Guid.NewGuid():N}";
        var experiment = await server.PostOkAsync("experiments/create", new { name });
        var experimentId = experiment.GetProperty("experiment_id").GetString()!;
        var run = await server.PostOkAsync("runs/create", new { experiment_id = experimentId, start_time = 1 });
        var runId = run.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
        await server.PostOkAsync("runs/log-metric", new { run_id = runId, key = "m", value = 1.0, timestamp = 1, step = 1 });
        await server.PostOkAsync("runs/set-tag", new { run_id = runId, key = "t", value = "v" });
        await server.PostOkAsync("experiments/set-experiment-tag", new { experiment_id = experimentId, key = "k", value = "v" });
        using var upload = await server.Http.PutAsync($"api/2.0/mlflow-artifacts/artifacts/{experimentId}/{runId}/artifacts/model/MLmodel",
            new StringContent("flavors: {}"));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        return (experimentId, name, runId);
    }

    private static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }
}
