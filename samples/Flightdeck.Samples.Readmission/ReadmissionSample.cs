using System.Globalization;
using Flightdeck.Client;
using Flightdeck.Contracts;
using Flightdeck.Samples.Readmission.Data;
using Flightdeck.Samples.Readmission.Training;

namespace Flightdeck.Samples.Readmission;

/// <summary>Where a sample run landed.</summary>
public sealed record SampleOutcome(string ExperimentId, string RunId, Uri RunLocation, TrainingResult Training);

/// <summary>
/// The sample end to end: generate the data, then, inside one Flightdeck run, record the dataset and the params,
/// train with a per-step sweep logging each step's metrics, log the final and baseline scores, and upload the model.
/// Leaving the run scope ends the run FINISHED, or FAILED when training throws.
/// </summary>
public static class ReadmissionSample
{
    public const string DatasetName = "readmission-synthetic";
    public const string ModelArtifactPath = "model";

    public static async Task<SampleOutcome> RunAsync(
        SampleOptions options, FlightdeckClient client, TextWriter output, CancellationToken cancellationToken = default)
    {
        var workDir = Path.GetFullPath(Path.Combine(options.WorkDir, $"seed{options.Seed}-rows{options.Rows}"));
        var csvPath = Path.Combine(workDir, "readmission.csv");
        var records = ReadmissionDataGenerator.Generate(options.Seed, options.Rows);
        ReadmissionDataGenerator.WriteCsv(records, csvPath);
        var dataset = DatasetDescription.Describe(DatasetName, csvPath, records);
        output.WriteLine($"Dataset {dataset.Name}: {records.Count} rows, digest {dataset.Digest}, {csvPath}");

        var settings = new TrainingSettings { Seed = options.Seed };
        var tags = new Dictionary<string, string>
        {
            ["sample"] = "readmission",
            ["framework"] = "ML.NET " + typeof(Microsoft.ML.MLContext).Assembly.GetName().Version?.ToString(3),
            ["task"] = "binary_classification",
            ["mlflow.note.content"] = "30-day readmission on seeded synthetic discharges; FastTree swept over tree counts.",
        };

        await using var run = await client.StartRunAsync(options.Experiment, options.RunName, tags, cancellationToken);
        output.WriteLine($"Run id: {run.RunId}");
        output.WriteLine($"Experiment: {options.Experiment} (id {run.ExperimentId})");

        foreach (var (key, value) in settings.ToParams())
        {
            run.LogParam(key, value);
        }

        run.LogParam("rows", Invariant(options.Rows));
        run.LogParam("dataset_digest", dataset.Digest);
        await run.LogInputAsync(new Dataset
        {
            Name = dataset.Name,
            Digest = dataset.Digest,
            SourceType = dataset.SourceType,
            Source = dataset.Source,
            Schema = dataset.Schema,
            Profile = dataset.Profile,
        }, context: "training", cancellationToken: cancellationToken);

        var modelPath = Path.Combine(workDir, "model.zip");
        var result = new ReadmissionTrainer(settings).Train(csvPath, modelPath, step =>
        {
            run.LogMetrics(step.AsMetrics(), step.Trees);
            output.WriteLine(Invariant(
                $"  trees={step.Trees,3}  val_auc={step.Validation.Auc:0.0000}  val_log_loss={step.Validation.LogLoss:0.0000}  val_f1={step.Validation.F1:0.0000}"));
        }, cancellationToken);

        run.LogParam("train_rows", Invariant(result.TrainRows));
        run.LogParam("test_rows", Invariant(result.TestRows));
        run.LogMetrics(result.Final.AsMetrics("final_val_"));
        if (result.Baseline is { } baseline)
        {
            run.LogMetrics(baseline.AsMetrics("baseline_val_"));
        }

        var best = result.Steps.MaxBy(s => s.Validation.Auc)!;
        run.SetTag("best_num_trees", Invariant(best.Trees));
        await run.LogArtifactAsync(modelPath, ModelArtifactPath, cancellationToken: cancellationToken);
        await run.FlushAsync(cancellationToken);

        var location = new Uri(client.TrackingUri, $"#/experiments/{run.ExperimentId}/runs/{run.RunId}");
        output.WriteLine(Invariant($"Final held-out AUC {result.Final.Auc:0.0000} (baseline {result.Baseline?.Auc:0.0000}); model uploaded to {ModelArtifactPath}/model.zip"));
        output.WriteLine($"Run location: {location}");
        return new SampleOutcome(run.ExperimentId, run.RunId, location, result);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
