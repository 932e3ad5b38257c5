using System.Text;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Ui.Tests.Infrastructure;

/// <summary>
/// A real server for the runs, run and compare pages: two experiments ("vision-a" with two runs, "vision-b" with one),
/// a param key holding a comma (written into the store directly: the API refuses commas in keys, as MLflow does, but
/// a store may hold them from elsewhere and the UI must not split them), a run with JSON, CSV, PNG and SVG artifacts and a dataset input with schema and
/// profile, and a registered model version made from that run.
/// </summary>
public sealed class RunsFixture : IAsyncLifetime
{
    public const string CommaKey = "batch,size";
    public const string ModelName = "vision-model";

    private TestServer? _server;
    private Browser? _browser;

    public TestServer Server => _server ?? throw new InvalidOperationException("not started");

    public string ExperimentA { get; private set; } = "";

    public string ExperimentB { get; private set; } = "";

    /// <summary>a-1 (sgd, 0.1, 32), a-2 (adam, 0.01, 64), b-1 (adam, 0.001, 128); every run has epochs = 10.</summary>
    public IReadOnlyList<string> RunIds { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        ExperimentA = await CreateExperimentAsync("vision-a");
        ExperimentB = await CreateExperimentAsync("vision-b");
        var runs = new[]
        {
            (ExperimentA, "a-1", "0.1", "sgd", "32", 0.9),
            (ExperimentA, "a-2", "0.01", "adam", "64", 0.5),
            (ExperimentB, "b-1", "0.001", "adam", "128", 0.2),
        };
        var ids = new List<string>();
        foreach (var (experiment, name, lr, optimizer, batch, finalLoss) in runs)
        {
            var runId = (await Server.PostOkAsync("runs/create", new { experiment_id = experiment, run_name = name, start_time = 1_700_000_000_000L, user_id = "grace" }))
                .GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
            await Server.PostOkAsync("runs/log-batch", new
            {
                run_id = runId,
                metrics = Enumerable.Range(0, 10).Select(step => new { key = "loss", value = finalLoss + ((9 - step) * 0.1), timestamp = 1_700_000_000_000L + (step * 1000), step }),
                @params = new[]
                {
                    new { key = "lr", value = lr }, new { key = "optimizer", value = optimizer }, new { key = "epochs", value = "10" },
                },
                tags = new[] { new { key = "mlflow.source.name", value = "train_vision.py" } },
            });
            await Server.PostOkAsync("runs/update", new { run_id = runId, status = "FINISHED", end_time = 1_700_000_090_000L });
            await InsertParamAsync(runId, CommaKey, batch);
            ids.Add(runId);
        }

        RunIds = ids;
        await SeedArtifactsAndInputsAsync(ids[0]);
        await Server.PostOkAsync("registered-models/create", new { name = ModelName });
        await Server.PostOkAsync("model-versions/create", new { name = ModelName, source = $"runs:/{ids[0]}/model", run_id = ids[0] });
        _browser = await Browser.LaunchAsync();
    }

    private async Task SeedArtifactsAndInputsAsync(string runId)
    {
        await UploadAsync(runId, "metrics/summary.json", """{"best":{"epoch":7,"loss":0.91},"classes":["cat","dog"]}""");
        await UploadAsync(runId, "data/head.csv", "city,population,note\nOslo,709000,\"capital, largest\"\nBergen,291000,west\n");
        await UploadAsync(runId, "plots/pixel.png", Convert.FromBase64String(OnePixelPng));
        // Were this SVG inlined into the page, its script would run and its handler would fire; drawn as an image, neither does.
        await UploadAsync(runId, "plots/diagram.svg", """
            <svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" viewBox="0 0 120 60">
              <script>window.svgScriptRan = true;</script>
              <rect width="120" height="60" fill="#16a34a" onload="window.svgScriptRan = true"/>
            </svg>
            """);
        await Server.PostOkAsync("runs/log-inputs", new
        {
            run_id = runId,
            datasets = new[]
            {
                new
                {
                    tags = new[] { new { key = "mlflow.data.context", value = "training" } },
                    dataset = new
                    {
                        name = "cities",
                        digest = "c1t1e5",
                        source_type = "local",
                        source = "data/cities.parquet",
                        schema = """{"mlflow_colspec":[{"name":"city","type":"string"},{"name":"population","type":"long"}]}""",
                        profile = """{"num_rows":2}""",
                    },
                },
            },
        });
    }

    private async Task InsertParamAsync(string runId, string key, string value)
    {
        var database = Server.Services.GetRequiredService<Database>();
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO params (run_uuid, key, value) VALUES (@run, @key, @value)";
        foreach (var (name, text) in new[] { ("@run", runId), ("@key", key), ("@value", value) })
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = text;
            command.Parameters.Add(parameter);
        }

        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    public Task<UiPage> NewPageAsync() => _browser!.NewPageAsync(Server.BaseAddress);

    private async Task<string> CreateExperimentAsync(string name) =>
        (await Server.PostOkAsync("experiments/create", new { name })).GetProperty("experiment_id").GetString()!;

    private const string OnePixelPng = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

    private Task UploadAsync(string runId, string path, string content) => UploadAsync(runId, path, Encoding.UTF8.GetBytes(content));

    private async Task UploadAsync(string runId, string path, byte[] content)
    {
        using var response = await Server.Http.PutAsync($"api/2.0/mlflow-artifacts/artifacts/{ExperimentA}/{runId}/artifacts/{path}", new ByteArrayContent(content));
        Assert.True(response.IsSuccessStatusCode, $"upload of {path}: {(int)response.StatusCode}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
