using Flightdeck.Client;
using Flightdeck.MlNet;
using Flightdeck.Samples.Readmission.Data;
using Flightdeck.Samples.Readmission.Training;
using Microsoft.ML;

namespace Flightdeck.Samples.Tests;

public sealed class TrainerTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flightdeck-sample-train-").FullName;
    private SampleServer _server = null!;
    private FlightdeckClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await SampleServer.StartAsync();
        _client = new FlightdeckClient(_server.BaseAddress);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Sweep_reports_validation_metrics_per_step_and_the_best_model_beats_chance_on_the_test_rows()
    {
        var ct = TestContext.Current.CancellationToken;
        var csv = Path.Combine(_folder, "data.csv");
        ReadmissionDataGenerator.WriteCsv(ReadmissionDataGenerator.Generate(seed: 42, rows: 5000), csv);
        var reported = new List<TrainingStep>();
        var ml = new MLContext(42);
        await using var run = await _client.StartRunAsync("trainer", cancellationToken: ct);
        await using var autolog = run.AutologMlNet(ml, new MlNetAutologOptions { LogModels = false, LogTrainerMessages = false });

        var result = await new ReadmissionTrainer(new TrainingSettings { Seed = 42 }).TrainAsync(csv, autolog, ml, reported.Add, ct);

        Assert.Equal([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], result.Steps.Select(s => s.Trees));
        Assert.Equal(result.Steps, reported);
        Assert.All(result.Steps, s =>
        {
            Assert.InRange(s.Validation.Auc, 0.5, 1.0);
            Assert.True(double.IsFinite(s.Validation.LogLoss) && s.Validation.LogLoss > 0);
            Assert.InRange(s.Validation.F1, 0.0, 1.0);
        });
        Assert.Equal(result.Steps.MaxBy(s => s.Validation.Auc)!.Trees, result.BestTrees);
        Assert.True(result.Test.Auc > 0.7, $"test AUC {result.Test.Auc}");
        Assert.True(result.Steps[^1].Train.LogLoss < result.Steps[0].Train.LogLoss, "more trees fit the training split better");
        Assert.NotNull(result.Baseline);
        Assert.True(result.Baseline.Auc > 0.7, $"baseline AUC {result.Baseline.Auc}");
        Assert.InRange(result.TestRows, 800, 1200);
        Assert.Equal(5000, result.TrainRows + result.TestRows);
    }

    [Fact]
    public async Task The_model_scores_new_patients_with_probabilities()
    {
        var ct = TestContext.Current.CancellationToken;
        var csv = Path.Combine(_folder, "data.csv");
        ReadmissionDataGenerator.WriteCsv(ReadmissionDataGenerator.Generate(seed: 9, rows: 1500), csv);
        var ml = new MLContext(9);
        await using var run = await _client.StartRunAsync("trainer", cancellationToken: ct);
        await using var autolog = run.AutologMlNet(ml, new MlNetAutologOptions { LogModels = false, LogTrainerMessages = false });

        var result = await new ReadmissionTrainer(new TrainingSettings { Seed = 9, TreeCounts = [20], TrainBaseline = false })
            .TrainAsync(csv, autolog, ml, cancellationToken: ct);

        var engine = ml.Model.CreatePredictionEngine<PatientRecord, ReadmissionPrediction>(result.Model);
        var lowRisk = engine.Predict(Readmission.ReadmissionSample.ExamplePatients[0]);
        var highRisk = engine.Predict(Readmission.ReadmissionSample.ExamplePatients[1]);
        Assert.InRange(lowRisk.Probability, 0f, 1f);
        Assert.True(highRisk.Probability > lowRisk.Probability + 0.2f, $"high {highRisk.Probability}, low {lowRisk.Probability}");
    }

    private sealed class ReadmissionPrediction
    {
        public bool PredictedLabel { get; set; }

        public float Probability { get; set; }
    }
}
