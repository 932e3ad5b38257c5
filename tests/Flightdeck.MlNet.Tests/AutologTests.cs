using System.Globalization;
using System.Text.Json;
using Flightdeck.Client;
using Flightdeck.Contracts;
using Flightdeck.MlNet.Data;
using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.MlNet.Tests.Infrastructure;
using Microsoft.ML;

namespace Flightdeck.MlNet.Tests;

public sealed class AutologTests : IAsyncLifetime
{
    private readonly MLContext _ml = new(seed: 1);
    private TestServer _server = null!;
    private FlightdeckClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _client = _server.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Fit_logs_hyperparameters_training_metrics_the_training_dataset_and_the_trainer_log()
    {
        var ct = TestContext.Current.CancellationToken;
        var split = _ml.Data.TrainTestSplit(TestData.Load(_ml, rows: 500), 0.25, seed: 1);
        string runId;

        // When
        await using (var run = await _client.StartRunAsync("autolog", cancellationToken: ct))
        {
            runId = run.RunId;
            await using var autolog = run.AutologMlNet(_ml, new MlNetAutologOptions { DatasetName = "patients", LogModels = false });
            await autolog.FitAsync(TestData.BinaryPipeline(_ml, trees: 7), split.TrainSet, ct);
        }

        // Then: params from the trainer's options, and the pipeline
        var logged = (await _client.GetRunAsync(runId, ct)).Run;
        var parameters = logged.Data.Params.ToDictionary(p => p.Key!, p => p.Value);
        Assert.Equal("FastTreeBinary", parameters["trainer"]);
        Assert.Equal("7", parameters["number_of_trees"]);
        Assert.Equal("4", parameters["number_of_leaves"]);
        Assert.Equal("5", parameters["minimum_example_count_per_leaf"]);
        Assert.Equal("0.3", parameters["learning_rate"]);
        Assert.Equal("Readmitted", parameters["label_column_name"]);
        Assert.Equal("OneHotEncoding | ColumnConcatenating | FastTreeBinary", parameters["pipeline"]);
        Assert.Contains(logged.Data.Tags, t => t.Key == MlNetAutolog.AutologgingTag && t.Value == "mlnet");

        // Training metrics, as ML.NET computes them on the training data
        var metrics = logged.Data.Metrics.ToDictionary(m => m.Key!, m => m.Value!.Value);
        var expected = _ml.BinaryClassification.Evaluate(
            TestData.BinaryPipeline(_ml, trees: 7).Fit(split.TrainSet).Transform(split.TrainSet), "Readmitted");
        Assert.Equal(expected.AreaUnderRocCurve, metrics["training_auc"], 6);
        Assert.Equal(expected.LogLoss, metrics["training_log_loss"], 6);
        Assert.Contains("training_f1_score", metrics.Keys);
        Assert.Contains("training_accuracy", metrics.Keys);

        // The training data as a dataset input
        var input = Assert.Single(logged.Inputs.DatasetInputs);
        Assert.Equal("patients", input.Dataset!.Name);
        Assert.Equal(DataViewDescription.Describe(split.TrainSet).Digest, input.Dataset.Digest);
        Assert.Equal("code", input.Dataset.SourceType);
        Assert.Equal(6, JsonDocument.Parse(input.Dataset.Schema!).RootElement.GetProperty("mlflow_colspec").GetArrayLength());
        var rows = JsonDocument.Parse(input.Dataset.Profile!).RootElement.GetProperty("num_rows").GetInt32();
        Assert.InRange(rows, 300, 450);
        Assert.Contains(input.Tags ?? [], t => t.Key == ActiveRun.DatasetContextTag && t.Value == "training");

        // What the trainer said, as an artifact
        var files = await _client.ListArtifactsAsync(runId, "mlnet", cancellationToken: ct);
        Assert.Contains(files.Files, f => f.Path == "mlnet/training_log.txt" && f.FileSize > 0);
    }

    [Fact]
    public async Task Evaluations_log_prefixed_metrics_at_their_step_and_the_evaluation_data_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var split = _ml.Data.TrainTestSplit(TestData.Load(_ml, rows: 500), 0.25, seed: 1);
        var model = TestData.BinaryPipeline(_ml, trees: 5).Fit(split.TrainSet);
        string runId;
        var reported = new List<double>();

        await using (var run = await _client.StartRunAsync("autolog", cancellationToken: ct))
        {
            runId = run.RunId;
            await using var autolog = run.AutologMlNet(_ml, new MlNetAutologOptions { DatasetName = "patients" });
            foreach (var step in new[] { 1L, 2, 3 })
            {
                reported.Add(autolog.EvaluateBinary(model, split.TestSet, "Readmitted", prefix: "val", step: step).AreaUnderRocCurve);
            }

            autolog.LogMetrics(_ml.Regression.Evaluate(
                TestData.RegressionPipeline(_ml).Fit(split.TrainSet).Transform(split.TestSet), "Cost"), prefix: "cost");
        }

        var history = (await _client.GetMetricHistoryAsync(runId, "val_auc", ct)).Metrics.OrderBy(m => m.Step).ToList();
        Assert.Equal([1L, 2, 3], history.Select(m => m.Step));
        Assert.Equal(reported, history.Select(m => m.Value!.Value));
        var run2 = (await _client.GetRunAsync(runId, ct)).Run;
        var keys = run2.Data.Metrics.Select(m => m.Key).ToHashSet();
        Assert.Superset(new HashSet<string?> { "val_auc", "val_auc_pr", "val_log_loss", "val_precision", "val_recall", "cost_rmse", "cost_r2" }, keys);
        var input = Assert.Single(run2.Inputs.DatasetInputs);
        Assert.Equal(DataViewDescription.Describe(split.TestSet).Digest, input.Dataset!.Digest);
        Assert.Contains(input.Tags ?? [], t => t.Key == ActiveRun.DatasetContextTag && t.Value == "eval");
    }

    [Fact]
    public async Task Multiclass_and_regression_fits_log_their_own_training_metrics()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = TestData.Load(_ml, rows: 400);
        var options = new MlNetAutologOptions { LogModels = false, LogTrainerMessages = false };
        string multiclassRun, regressionRun;

        await using (var run = await _client.StartRunAsync("autolog", cancellationToken: ct))
        {
            multiclassRun = run.RunId;
            await using var autolog = run.AutologMlNet(_ml, options);
            await autolog.FitAsync(TestData.MulticlassPipeline(_ml), data, ct);
        }

        await using (var run = await _client.StartRunAsync("autolog", cancellationToken: ct))
        {
            regressionRun = run.RunId;
            await using var autolog = run.AutologMlNet(_ml, options);
            await autolog.FitAsync(TestData.RegressionPipeline(_ml), data, ct);
        }

        var multiclass = (await _client.GetRunAsync(multiclassRun, ct)).Run.Data;
        Assert.Contains(multiclass.Params, p => p.Key == "trainer" && p.Value == "LbfgsMaximumEntropyMulticlass");
        Assert.Contains(multiclass.Params, p => p.Key == "history_size" && p.Value == "7");
        Assert.Contains(multiclass.Metrics, m => m.Key == "training_micro_accuracy" && m.Value > 0.5);
        var regression = (await _client.GetRunAsync(regressionRun, ct)).Run.Data;
        Assert.Contains(regression.Params, p => p.Key == "trainer" && p.Value == "SdcaRegression");
        Assert.Contains(regression.Metrics, m => m.Key == "training_r2" && m.Value > 0.5);
        Assert.Contains(regression.Metrics, m => m.Key == "training_rmse");
    }

    [Fact]
    public async Task Cross_validation_logs_each_fold_at_its_step_with_mean_and_std()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = TestData.Load(_ml, rows: 400);
        string runId;
        IReadOnlyList<double> aucs;

        await using (var run = await _client.StartRunAsync("autolog", cancellationToken: ct))
        {
            runId = run.RunId;
            await using var autolog = run.AutologMlNet(_ml);
            var results = autolog.CrossValidateBinary(data, TestData.BinaryPipeline(_ml), numberOfFolds: 3, labelColumnName: "Readmitted");
            aucs = results.Select(r => r.Metrics.AreaUnderRocCurve).ToList();
        }

        var history = (await _client.GetMetricHistoryAsync(runId, "cv_auc", ct)).Metrics.OrderBy(m => m.Step).ToList();
        Assert.Equal([0L, 1, 2], history.Select(m => m.Step));
        Assert.Equal(aucs, history.Select(m => m.Value!.Value));
        var logged = (await _client.GetRunAsync(runId, ct)).Run;
        var metrics = logged.Data.Metrics.ToDictionary(m => m.Key!, m => m.Value!.Value);
        Assert.Equal(aucs.Average(), metrics["cv_auc_mean"], 9);
        Assert.True(metrics["cv_auc_std"] >= 0);
        Assert.Contains(logged.Data.Params, p => p.Key == "cv_folds" && p.Value == "3");
        Assert.Contains(logged.Data.Params, p => p.Key == "number_of_trees" && p.Value == "7");
        Assert.Contains(logged.Inputs.DatasetInputs, i => i.Dataset!.Digest == DataViewDescription.Describe(data).Digest);
    }

    [Fact]
    public async Task A_second_fit_with_other_hyperparameters_is_refused_before_training_and_the_run_stays_usable()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = TestData.Load(_ml, rows: 300);
        await using var run = await _client.StartRunAsync("autolog", cancellationToken: ct);
        await using var autolog = run.AutologMlNet(_ml, new MlNetAutologOptions { LogModels = false, LogTrainerMessages = false });
        await autolog.FitAsync(TestData.BinaryPipeline(_ml, trees: 5), data, ct);

        // The same configuration again is fine; another tree count would contradict a write-once param.
        await autolog.FitAsync(TestData.BinaryPipeline(_ml, trees: 5), data, ct);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => autolog.FitAsync(TestData.BinaryPipeline(_ml, trees: 9), data, ct));

        Assert.Contains("number_of_trees", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'5'", refused.Message, StringComparison.Ordinal);
        run.LogMetric("after", 1);
        await autolog.FlushAsync(ct);
        var logged = (await _client.GetRunAsync(run.RunId, ct)).Run.Data;
        Assert.Contains(logged.Params, p => p.Key == "number_of_trees" && p.Value == "5");
        Assert.Contains(logged.Metrics, m => m.Key == "after");
    }

    [Fact]
    public async Task A_file_source_is_recorded_as_a_local_uri()
    {
        var ct = TestContext.Current.CancellationToken;
        var csv = Path.Combine(_server.CreateLocalFolder("data"), "patients.csv");
        var data = TestData.LoadFromCsv(_ml, TestData.Patients(2, 300), csv);
        await using var run = await _client.StartRunAsync("autolog", cancellationToken: ct);
        await using (var autolog = run.AutologMlNet(_ml, new MlNetAutologOptions { DatasetSource = csv, LogModels = false }))
        {
            await autolog.FitAsync(TestData.BinaryPipeline(_ml), data, ct);
        }

        var input = Assert.Single((await _client.GetRunAsync(run.RunId, ct)).Run.Inputs.DatasetInputs);
        Assert.Equal("local", input.Dataset!.SourceType);
        Assert.Equal(new Uri(csv).AbsoluteUri, JsonDocument.Parse(input.Dataset.Source!).RootElement.GetProperty("uri").GetString());
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{300}"),
            JsonDocument.Parse(input.Dataset.Profile!).RootElement.GetProperty("num_rows").GetRawText());
    }
}
