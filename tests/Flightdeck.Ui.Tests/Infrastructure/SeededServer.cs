using System.Text;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Ui.Tests.Infrastructure;

/// <summary>
/// A real server with data logged through its REST API, as a training script would: an experiment of three runs with
/// params, tags, curves and artifacts, a run with one 200,000-point metric, and a registered model with two versions.
/// </summary>
public sealed class SeededServer : IAsyncDisposable
{
    public const int LargeMetricPoints = 200_000;

    private SeededServer(TestServer server) => Server = server;

    public TestServer Server { get; }

    public string SweepExperimentId { get; private set; } = "";

    public IReadOnlyList<string> SweepRunIds { get; private set; } = [];

    public string LargeRunId { get; private set; } = "";

    public string ManyRunsExperimentId { get; private set; } = "";

    public const int ManyRuns = 60;

    public const string ModelName = "digits-classifier";

    public static async Task<SeededServer> StartAsync()
    {
        var seeded = new SeededServer(await TestServer.StartAsync());
        try
        {
            await seeded.SeedAsync();
        }
        catch
        {
            await seeded.DisposeAsync();
            throw;
        }

        return seeded;
    }

    private async Task SeedAsync()
    {
        SweepExperimentId = await CreateExperimentAsync("digits-sweep");
        var runs = new List<string>();
        var sweep = new[] { ("lr-0.1", "0.1", "sgd", 1.0), ("lr-0.01", "0.01", "adam", 0.6), ("lr-0.001", "0.001", "adam", 0.3) };
        foreach (var (name, lr, optimizer, speed) in sweep)
        {
            var runId = await CreateRunAsync(SweepExperimentId, name);
            var metrics = new List<object>();
            for (var step = 0; step < 100; step++)
            {
                metrics.Add(new { key = "loss", value = 2.3 * Math.Exp(-speed * step / 20.0) + 0.05, timestamp = 1_700_000_000_000L + (step * 1000), step });
                metrics.Add(new { key = "accuracy", value = 1 - Math.Exp(-speed * step / 15.0) * 0.9, timestamp = 1_700_000_000_000L + (step * 1000), step });
            }

            await Server.PostOkAsync("runs/log-batch", new
            {
                run_id = runId,
                metrics,
                @params = new[] { new { key = "lr", value = lr }, new { key = "optimizer", value = optimizer }, new { key = "epochs", value = "100" } },
                tags = new[] { new { key = "team", value = "vision" }, new { key = "mlflow.source.name", value = "train.py" } },
            });
            await UploadAsync(SweepExperimentId, runId, "config.json", """{"lr":""" + lr + ""","layers":[64,32],"optimizer":""" + "\"" + optimizer + "\"}");
            await UploadAsync(SweepExperimentId, runId, "logs/train.log", "epoch 1 loss 2.1\nepoch 2 loss 1.7\n");
            await UploadAsync(SweepExperimentId, runId, "predictions.csv", "id,label,note\n1,7,\"seven, clearly\"\n2,1,one\n");
            await UploadAsync(SweepExperimentId, runId, "confusion.png", Convert.FromBase64String(OnePixelPng));
            await Server.PostOkAsync("runs/log-inputs", new
            {
                run_id = runId,
                datasets = new[]
                {
                    new
                    {
                        tags = new[] { new { key = "mlflow.data.context", value = "training" } },
                        dataset = new { name = "digits-train", digest = "d1g1t5", source_type = "local", source = "data/digits.csv" },
                    },
                },
            });
            await Server.PostOkAsync("runs/update", new { run_id = runId, status = "FINISHED", end_time = 1_700_000_100_000L });
            runs.Add(runId);
        }

        SweepRunIds = runs;

        ManyRunsExperimentId = await CreateExperimentAsync("many-runs");
        for (var i = 0; i < ManyRuns; i++)
        {
            var runId = await CreateRunAsync(ManyRunsExperimentId, $"trial-{i:D2}");
            await Server.PostOkAsync("runs/log-batch", new
            {
                run_id = runId,
                metrics = new[] { new { key = "score", value = (double)i, timestamp = 1_700_000_000_000L, step = 0 } },
                @params = new[] { new { key = "trial", value = i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture) } },
            });
        }

        var largeExperiment = await CreateExperimentAsync("long-training");
        LargeRunId = await CreateRunAsync(largeExperiment, "million-steps");
        await LogLargeMetricAsync(LargeRunId);

        await Server.PostOkAsync("registered-models/create", new { name = ModelName, description = "Classifies handwritten digits." });
        foreach (var runId in runs.Take(2))
        {
            await Server.PostOkAsync("model-versions/create", new { name = ModelName, source = $"runs:/{runId}/model", run_id = runId });
        }

        await Server.PostOkAsync("registered-models/alias", new { name = ModelName, alias = "champion", version = "2" });
    }

    /// <summary>A noisy decaying curve with one spike, logged 1,000 points per log-batch (MLflow's limit per request).</summary>
    private async Task LogLargeMetricAsync(string runId)
    {
        const int batch = 1000;
        var random = new Random(11);
        var batches = Enumerable.Range(0, LargeMetricPoints / batch).Select(b => Enumerable.Range(b * batch, batch).Select(step => new
        {
            key = "loss",
            value = step == 123_456 ? 25.0 : (5.0 / (1 + (step / 5000.0))) + (random.NextDouble() * 0.3),
            timestamp = 1_700_000_000_000L + step,
            step,
        }).ToArray()).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (metrics, _) =>
            await Server.PostOkAsync("runs/log-batch", new { run_id = runId, metrics }));
    }

    private async Task<string> CreateExperimentAsync(string name) =>
        (await Server.PostOkAsync("experiments/create", new { name })).GetProperty("experiment_id").GetString()!;

    private async Task<string> CreateRunAsync(string experimentId, string name) =>
        (await Server.PostOkAsync("runs/create", new { experiment_id = experimentId, run_name = name, start_time = 1_700_000_000_000L, user_id = "ada" }))
        .GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;

    /// <summary>A 1×1 PNG, for the image preview.</summary>
    private const string OnePixelPng = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    private Task UploadAsync(string experimentId, string runId, string path, string content) =>
        UploadAsync(experimentId, runId, path, Encoding.UTF8.GetBytes(content));

    private async Task UploadAsync(string experimentId, string runId, string path, byte[] content)
    {
        using var response = await Server.Http.PutAsync($"api/2.0/mlflow-artifacts/artifacts/{experimentId}/{runId}/artifacts/{path}",
            new ByteArrayContent(content));
        Assert.True(response.IsSuccessStatusCode, $"upload of {path}: {(int)response.StatusCode}");
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
