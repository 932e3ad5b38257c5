using System.Text.Json;
using Flightdeck.Client;
using Flightdeck.Contracts;
using Flightdeck.Samples.Readmission;
using Microsoft.ML;

namespace Flightdeck.Samples.Tests;

public sealed class SampleEndToEndTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flightdeck-sample-run-").FullName;

    [Fact]
    public async Task Sample_logs_params_per_step_metrics_the_dataset_and_the_model_to_a_real_server()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await SampleServer.StartAsync();
        using var client = new FlightdeckClient(server.BaseAddress);
        var output = new StringWriter();
        var options = new SampleOptions { Experiment = "readmission", Seed = 11, Rows = 3000, WorkDir = Path.Combine(_folder, "work") };

        // When
        var outcome = await ReadmissionSample.RunAsync(options, client, output, ct);

        // Then: the run finished, with the sample's params and tags
        var run = (await client.GetRunAsync(outcome.RunId, ct)).Run;
        Assert.Equal(RunStatus.Finished, run.Info.Status);
        Assert.Contains($"Run id: {outcome.RunId}", output.ToString(), StringComparison.Ordinal);
        var parameters = run.Data.Params.ToDictionary(p => p.Key!, p => p.Value);
        Assert.Equal("FastTreeBinary", parameters["trainer"]);
        Assert.Equal("11", parameters["seed"]);
        Assert.Equal("3000", parameters["rows"]);
        Assert.Equal("100", parameters["num_trees"]);
        Assert.Equal("0.05", parameters["learning_rate"]);
        Assert.Equal(3000, int.Parse(parameters["train_rows"]!) + int.Parse(parameters["test_rows"]!));
        var tags = run.Data.Tags.ToDictionary(t => t.Key!, t => t.Value);
        Assert.Equal("readmission", tags["sample"]);
        Assert.Contains(tags["best_num_trees"], outcome.Training.Steps.Select(s => s.Trees.ToString()));

        // One val_auc point per tree count, equal to what the trainer measured
        var history = (await client.GetMetricHistoryAsync(outcome.RunId, "val_auc", ct)).Metrics;
        Assert.Equal([10L, 20, 30, 40, 50, 60, 70, 80, 90, 100], history.Select(m => m.Step).Order());
        Assert.Equal(outcome.Training.Steps.Select(s => (double?)s.Validation.Auc), history.OrderBy(m => m.Step).Select(m => m.Value));
        Assert.Equal(10, (await client.GetMetricHistoryAsync(outcome.RunId, "train_log_loss", ct)).Metrics.Count);
        var latest = run.Data.Metrics.ToDictionary(m => m.Key!, m => m.Value);
        Assert.True(latest["final_val_auc"] > 0.7, $"final AUC {latest["final_val_auc"]}");
        Assert.True(latest.ContainsKey("baseline_val_auc"));
        Assert.True(latest.ContainsKey("val_f1") && latest.ContainsKey("val_log_loss"));

        // The dataset input, with digest, file source, schema and profile
        var input = Assert.Single(run.Inputs.DatasetInputs);
        var dataset = input.Dataset!;
        Assert.Equal(ReadmissionSample.DatasetName, dataset.Name);
        Assert.Matches("^[0-9a-f]{16}$", dataset.Digest);
        Assert.StartsWith("file://", JsonDocument.Parse(dataset.Source!).RootElement.GetProperty("uri").GetString(), StringComparison.Ordinal);
        Assert.Equal(7, JsonDocument.Parse(dataset.Schema!).RootElement.GetProperty("mlflow_colspec").GetArrayLength());
        Assert.Equal(3000, JsonDocument.Parse(dataset.Profile!).RootElement.GetProperty("num_rows").GetInt32());
        Assert.Contains(input.Tags ?? [], t => t.Key == ActiveRun.DatasetContextTag && t.Value == "training");

        // The model zip, downloadable and loadable by ML.NET
        var listed = await client.ListArtifactsAsync(outcome.RunId, ReadmissionSample.ModelArtifactPath, cancellationToken: ct);
        var modelFile = Assert.Single(listed.Files);
        Assert.Equal("model/model.zip", modelFile.Path);
        Assert.False(modelFile.IsDir);
        Assert.True(modelFile.FileSize > 1000, $"model.zip is {modelFile.FileSize} bytes");
        var downloaded = await client.DownloadArtifactAsync(outcome.RunId, modelFile.Path, Path.Combine(_folder, "download"), cancellationToken: ct);
        var model = new MLContext(seed: 1).Model.Load(downloaded, out var inputSchema);
        Assert.NotNull(model);
        Assert.NotNull(inputSchema.GetColumnOrNull("discharge_type"));
    }

    [Fact]
    public async Task A_sample_that_fails_mid_run_ends_its_run_FAILED()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await SampleServer.StartAsync();
        using var client = new FlightdeckClient(server.BaseAddress);
        var options = new SampleOptions { Experiment = "broken", Seed = 1, Rows = 400, WorkDir = Path.Combine(_folder, "work") };
        // A folder where the model zip should go makes saving the model fail, after the run has started and trained.
        Directory.CreateDirectory(Path.Combine(options.WorkDir, "seed1-rows400", "model.zip"));

        await Assert.ThrowsAnyAsync<Exception>(() => ReadmissionSample.RunAsync(options, client, TextWriter.Null, ct));

        var experimentId = await client.GetOrCreateExperimentAsync("broken", ct);
        var runs = (await client.SearchRunsAsync(new SearchRunsRequest { ExperimentIds = [experimentId] }, ct)).Runs;
        var run = Assert.Single(runs);
        Assert.Equal(RunStatus.Failed, run.Info.Status);
        Assert.Contains(run.Data.Params, p => p.Key == "trainer");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
