using Flightdeck.Samples.Readmission.Data;
using Flightdeck.Samples.Readmission.Training;
using Microsoft.ML;

namespace Flightdeck.Samples.Tests;

public sealed class TrainerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flightdeck-sample-train-").FullName;

    [Fact]
    public void Sweep_reports_held_out_metrics_per_step_and_the_final_model_beats_chance()
    {
        var csv = Path.Combine(_folder, "data.csv");
        ReadmissionDataGenerator.WriteCsv(ReadmissionDataGenerator.Generate(seed: 42, rows: 5000), csv);
        var reported = new List<TrainingStep>();

        var result = new ReadmissionTrainer(new TrainingSettings { Seed = 42 })
            .Train(csv, Path.Combine(_folder, "model.zip"), reported.Add, TestContext.Current.CancellationToken);

        Assert.Equal([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], result.Steps.Select(s => s.Trees));
        Assert.Equal(result.Steps, reported);
        Assert.All(result.Steps, s =>
        {
            Assert.InRange(s.Validation.Auc, 0.5, 1.0);
            Assert.True(double.IsFinite(s.Validation.LogLoss) && s.Validation.LogLoss > 0);
            Assert.InRange(s.Validation.F1, 0.0, 1.0);
        });
        Assert.True(result.Final.Auc > 0.7, $"final AUC {result.Final.Auc}");
        Assert.True(result.Steps[^1].Train.LogLoss < result.Steps[0].Train.LogLoss, "more trees fit the training split better");
        Assert.NotNull(result.Baseline);
        Assert.True(result.Baseline.Auc > 0.7, $"baseline AUC {result.Baseline.Auc}");
        Assert.InRange(result.TestRows, 800, 1200);
        Assert.Equal(5000, result.TrainRows + result.TestRows);
    }

    [Fact]
    public void Saved_model_scores_new_patients_with_probabilities()
    {
        var csv = Path.Combine(_folder, "data.csv");
        ReadmissionDataGenerator.WriteCsv(ReadmissionDataGenerator.Generate(seed: 9, rows: 1500), csv);
        var modelPath = Path.Combine(_folder, "model.zip");
        new ReadmissionTrainer(new TrainingSettings { Seed = 9, TreeCounts = [20], TrainBaseline = false })
            .Train(csv, modelPath, cancellationToken: TestContext.Current.CancellationToken);

        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(modelPath, out _);
        var engine = ml.Model.CreatePredictionEngine<PatientRecord, ReadmissionPrediction>(model);
        var lowRisk = engine.Predict(new PatientRecord
        {
            Age = 35, LengthOfStay = 2, PriorAdmissions = 0, MedicationCount = 3, HbA1c = 5.2f, DischargeType = "home",
        });
        var highRisk = engine.Predict(new PatientRecord
        {
            Age = 88, LengthOfStay = 14, PriorAdmissions = 5, MedicationCount = 18, HbA1c = 10.5f, DischargeType = "skilled_nursing",
        });

        Assert.InRange(lowRisk.Probability, 0f, 1f);
        Assert.True(highRisk.Probability > lowRisk.Probability + 0.2f, $"high {highRisk.Probability}, low {lowRisk.Probability}");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class ReadmissionPrediction
    {
        public bool PredictedLabel { get; set; }

        public float Probability { get; set; }
    }
}
