using System.Globalization;
using Flightdeck.Client;
using Flightdeck.MlNet;
using Flightdeck.Models;
using Flightdeck.Samples.Readmission.Data;
using Flightdeck.Samples.Readmission.Training;
using Microsoft.ML;

namespace Flightdeck.Samples.Readmission;

/// <summary>A patient scored by the model loaded back from the registry.</summary>
public sealed record PatientPrediction(PatientRecord Patient, bool Readmitted, float Probability);

/// <summary>Where a sample run landed.</summary>
public sealed record SampleOutcome(
    string ExperimentId, string RunId, Uri RunLocation, TrainingResult Training, string ModelVersion, IReadOnlyList<PatientPrediction> Predictions);

/// <summary>
/// The sample end to end: generate the data; inside one Flightdeck run, train with ML.NET autologging (hyperparameters,
/// per-step sweep metrics, test metrics, the training data's digest, schema and profile, and the model, with no
/// hand-written logging), register the model as <see cref="RegisteredModelName"/>, point the alias
/// <see cref="ChampionAlias"/> at the new version, load it back by <see cref="ChampionUri"/> and score two patients.
/// Leaving the run scope ends the run FINISHED, or FAILED when anything throws.
/// </summary>
public static class ReadmissionSample
{
    public const string DatasetName = "readmission-synthetic";
    public const string ModelArtifactPath = "model";
    public const string RegisteredModelName = "readmission";
    public const string ChampionAlias = "champion";
    public const string ChampionUri = $"models:/{RegisteredModelName}@{ChampionAlias}";

    /// <summary>Two patients at either end of the risk scale, scored by the registered model at the end of the sample.</summary>
    public static IReadOnlyList<PatientRecord> ExamplePatients { get; } =
    [
        new() { Age = 35, LengthOfStay = 2, PriorAdmissions = 0, MedicationCount = 3, HbA1c = 5.2f, DischargeType = "home" },
        new() { Age = 88, LengthOfStay = 14, PriorAdmissions = 5, MedicationCount = 18, HbA1c = 10.5f, DischargeType = "skilled_nursing" },
    ];

    public static async Task<SampleOutcome> RunAsync(
        SampleOptions options, FlightdeckClient client, TextWriter output, CancellationToken cancellationToken = default)
    {
        var workDir = Path.GetFullPath(Path.Combine(options.WorkDir, $"seed{options.Seed}-rows{options.Rows}"));
        var csvPath = Path.Combine(workDir, "readmission.csv");
        var records = ReadmissionDataGenerator.Generate(options.Seed, options.Rows);
        ReadmissionDataGenerator.WriteCsv(records, csvPath);
        output.WriteLine($"Dataset {DatasetName}: {records.Count} rows, {csvPath}");

        var settings = new TrainingSettings { Seed = options.Seed };
        var tags = new Dictionary<string, string>
        {
            ["sample"] = "readmission",
            ["framework"] = "ML.NET " + typeof(MLContext).Assembly.GetName().Version?.ToString(3),
            ["task"] = "binary_classification",
            ["mlflow.note.content"] = "30-day readmission on seeded synthetic discharges; FastTree swept over tree counts, autologged.",
        };

        await using var run = await client.StartRunAsync(options.Experiment, options.RunName, tags, cancellationToken);
        output.WriteLine($"Run id: {run.RunId}");
        output.WriteLine($"Experiment: {options.Experiment} (id {run.ExperimentId})");

        var ml = new MLContext(options.Seed);
        TrainingResult result;
        await using (var autolog = run.AutologMlNet(ml, new MlNetAutologOptions
        {
            DatasetName = DatasetName,
            DatasetSource = csvPath,
            ModelArtifactPath = ModelArtifactPath,
            RegisteredModelName = RegisteredModelName,
        }))
        {
            result = await new ReadmissionTrainer(settings).TrainAsync(csvPath, autolog, ml, step => output.WriteLine(Invariant(
                $"  trees={step.Trees,3}  val_auc={step.Validation.Auc:0.0000}  val_log_loss={step.Validation.LogLoss:0.0000}  val_f1={step.Validation.F1:0.0000}")),
                cancellationToken);
        }

        var version = result.LoggedModel?.RegisteredVersion
            ?? throw new InvalidOperationException("Autologging did not register the model.");
        await client.SetRegisteredModelAliasAsync(RegisteredModelName, options.Alias, version.Version, cancellationToken);
        output.WriteLine(Invariant(
            $"Best tree count {result.BestTrees}: held-out test AUC {result.Test.Auc:0.0000} (logistic baseline {result.Baseline?.Auc:0.0000})"));
        output.WriteLine($"Model: {result.LoggedModel.ModelUri}, registered as {RegisteredModelName} version {version.Version}, alias {options.Alias}");

        var modelUri = $"models:/{RegisteredModelName}@{options.Alias}";
        var predictions = await PredictAsync(client, modelUri, Path.Combine(options.WorkDir, "model-cache"), cancellationToken);
        output.WriteLine($"Loaded {modelUri} (version {version.Version}) and scored two patients:");
        foreach (var p in predictions)
        {
            output.WriteLine(Invariant(
                $"  age {p.Patient.Age}, {p.Patient.LengthOfStay} days, {p.Patient.PriorAdmissions} prior admissions, {p.Patient.DischargeType}: readmission risk {p.Probability:0.00} ({(p.Readmitted ? "readmitted" : "not readmitted")})"));
        }

        await run.FlushAsync(cancellationToken);
        var location = new Uri(client.TrackingUri, $"#/experiments/{run.ExperimentId}/runs/{run.RunId}");
        output.WriteLine($"Run location: {location}");
        return new SampleOutcome(run.ExperimentId, run.RunId, location, result, version.Version, predictions);
    }

    private static async Task<IReadOnlyList<PatientPrediction>> PredictAsync(
        FlightdeckClient client, string modelUri, string cacheDirectory, CancellationToken cancellationToken)
    {
        using var predictor = await client.LoadModelAsync(modelUri, cacheDirectory: cacheDirectory, cancellationToken: cancellationToken);
        var patients = ExamplePatients;
        var batch = new DataBatch(
            BatchColumn.FromSingles("age", [.. patients.Select(p => p.Age)]),
            BatchColumn.FromSingles("length_of_stay", [.. patients.Select(p => p.LengthOfStay)]),
            BatchColumn.FromSingles("prior_admissions", [.. patients.Select(p => p.PriorAdmissions)]),
            BatchColumn.FromSingles("medication_count", [.. patients.Select(p => p.MedicationCount)]),
            BatchColumn.FromSingles("hba1c", [.. patients.Select(p => p.HbA1c)]),
            BatchColumn.FromStrings("discharge_type", [.. patients.Select(p => (string?)p.DischargeType)]));
        var predictions = predictor.Predict(batch);
        var labels = predictions["PredictedLabel"].GetValues<bool>();
        var probabilities = predictions["Probability"].GetValues<float>();
        return [.. patients.Select((p, i) => new PatientPrediction(p, labels[i], probabilities[i]))];
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
