using System.Text.Json;
using Flightdeck.Client;
using Flightdeck.Contracts;
using Flightdeck.MlNet;
using Flightdeck.Samples.Readmission;

namespace Flightdeck.Samples.Tests;

public sealed class SampleEndToEndTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flightdeck-sample-run-").FullName;

    [Fact]
    public async Task Sample_autologs_params_per_step_metrics_datasets_and_the_model_and_registers_the_champion()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await SampleServer.StartAsync();
        using var client = new FlightdeckClient(server.BaseAddress);
        var output = new StringWriter();
        var options = new SampleOptions { Experiment = "readmission", Seed = 11, Rows = 3000, WorkDir = Path.Combine(_folder, "work") };

        // When
        var outcome = await ReadmissionSample.RunAsync(options, client, output, ct);

        // Then: the run finished, with the trainer's hyperparameters read by autologging
        var run = (await client.GetRunAsync(outcome.RunId, ct)).Run;
        Assert.Equal(RunStatus.Finished, run.Info.Status);
        Assert.Contains($"Run id: {outcome.RunId}", output.ToString(), StringComparison.Ordinal);
        var parameters = run.Data.Params.ToDictionary(p => p.Key!, p => p.Value);
        Assert.Equal("FastTreeBinary", parameters["trainer"]);
        Assert.Equal("11", parameters["seed"]);
        Assert.Equal(outcome.Training.BestTrees.ToString(System.Globalization.CultureInfo.InvariantCulture), parameters["number_of_trees"]);
        Assert.Equal("0.05", parameters["learning_rate"]);
        Assert.Equal("8", parameters["number_of_leaves"]);
        Assert.Equal("readmitted", parameters["label_column_name"]);
        Assert.StartsWith("OneHotEncoding | ", parameters["pipeline"], StringComparison.Ordinal);
        var tags = run.Data.Tags.ToDictionary(t => t.Key!, t => t.Value);
        Assert.Equal("readmission", tags["sample"]);
        Assert.Equal("mlnet", tags[MlNetAutolog.AutologgingTag]);

        // One val_auc point per tree count, equal to what the trainer measured
        var history = (await client.GetMetricHistoryAsync(outcome.RunId, "val_auc", ct)).Metrics;
        Assert.Equal([10L, 20, 30, 40, 50, 60, 70, 80, 90, 100], history.Select(m => m.Step).Order());
        Assert.Equal(outcome.Training.Steps.Select(s => (double?)s.Validation.Auc), history.OrderBy(m => m.Step).Select(m => m.Value));
        Assert.Equal(10, (await client.GetMetricHistoryAsync(outcome.RunId, "train_log_loss", ct)).Metrics.Count);
        var latest = run.Data.Metrics.ToDictionary(m => m.Key!, m => m.Value);
        Assert.Equal(outcome.Training.Test.Auc, latest["test_auc"]);
        Assert.True(latest["test_auc"] > 0.7, $"test AUC {latest["test_auc"]}");
        Assert.True(latest.ContainsKey("baseline_test_auc"));
        Assert.True(latest.ContainsKey("training_auc") && latest.ContainsKey("test_f1_score") && latest.ContainsKey("test_log_loss"));

        // The training rows as a dataset input with digest, file source, schema and profile; the scored splits as eval inputs
        var training = Assert.Single(run.Inputs.DatasetInputs, i => i.Tags!.Any(t => t.Key == ActiveRun.DatasetContextTag && t.Value == "training"));
        var dataset = training.Dataset!;
        Assert.Equal(ReadmissionSample.DatasetName, dataset.Name);
        Assert.Matches("^[0-9a-f]{16}$", dataset.Digest);
        Assert.Equal("local", dataset.SourceType);
        Assert.StartsWith("file://", JsonDocument.Parse(dataset.Source!).RootElement.GetProperty("uri").GetString(), StringComparison.Ordinal);
        Assert.Equal(7, JsonDocument.Parse(dataset.Schema!).RootElement.GetProperty("mlflow_colspec").GetArrayLength());
        Assert.Equal(outcome.Training.TrainRows, JsonDocument.Parse(dataset.Profile!).RootElement.GetProperty("num_rows").GetInt32());
        Assert.Equal(2, run.Inputs.DatasetInputs.Count(i => i.Tags!.Any(t => t.Key == ActiveRun.DatasetContextTag && t.Value == "eval")));

        // The model package in the run's artifacts, registered as version 1 with the champion alias
        var listed = (await client.ListArtifactsAsync(outcome.RunId, ReadmissionSample.ModelArtifactPath, cancellationToken: ct)).Files;
        Assert.Contains(listed, f => f.Path == "model/MLmodel");
        Assert.Contains(listed, f => f.Path == "model/model.zip" && f.FileSize > 1000);
        Assert.Equal("1", outcome.ModelVersion);
        var champion = await client.GetModelVersionByAliasAsync(ReadmissionSample.RegisteredModelName, ReadmissionSample.ChampionAlias, ct);
        Assert.Equal("1", champion.Version);
        Assert.Equal($"runs:/{outcome.RunId}/model", champion.Source);

        // Loaded back by alias, it tells the two example patients apart
        Assert.Equal(2, outcome.Predictions.Count);
        Assert.True(outcome.Predictions[1].Probability > outcome.Predictions[0].Probability + 0.2f,
            $"high {outcome.Predictions[1].Probability}, low {outcome.Predictions[0].Probability}");
        Assert.Contains($"Loaded {ReadmissionSample.ChampionUri} (version 1)", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_sample_run_registers_version_2_and_moves_the_champion_alias()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await SampleServer.StartAsync();
        using var client = new FlightdeckClient(server.BaseAddress);
        var options = new SampleOptions { Experiment = "readmission", Seed = 3, Rows = 600, WorkDir = Path.Combine(_folder, "work") };

        var first = await ReadmissionSample.RunAsync(options, client, TextWriter.Null, ct);
        var second = await ReadmissionSample.RunAsync(options with { Seed = 4 }, client, TextWriter.Null, ct);

        Assert.Equal(("1", "2"), (first.ModelVersion, second.ModelVersion));
        var champion = await client.GetModelVersionByAliasAsync(ReadmissionSample.RegisteredModelName, ReadmissionSample.ChampionAlias, ct);
        Assert.Equal("2", champion.Version);
        Assert.Equal(second.RunId, champion.RunId);
    }

    [Fact]
    public async Task A_sample_that_fails_mid_run_ends_its_run_FAILED()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await SampleServer.StartAsync();
        using var client = new FlightdeckClient(server.BaseAddress);
        var options = new SampleOptions { Experiment = "broken", Seed = 1, Rows = 400, WorkDir = Path.Combine(_folder, "work") };
        // A file where the model cache folder should go makes loading the registered model fail, after training and logging.
        Directory.CreateDirectory(options.WorkDir);
        await File.WriteAllTextAsync(Path.Combine(options.WorkDir, "model-cache"), "not a folder", ct);

        await Assert.ThrowsAnyAsync<Exception>(() => ReadmissionSample.RunAsync(options, client, TextWriter.Null, ct));

        var experimentId = await client.GetOrCreateExperimentAsync("broken", ct);
        var runs = (await client.SearchRunsAsync(new SearchRunsRequest { ExperimentIds = [experimentId] }, ct)).Runs;
        var run = Assert.Single(runs);
        Assert.Equal(RunStatus.Failed, run.Info.Status);
        Assert.Contains(run.Data.Params, p => p.Key == "trainer");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
