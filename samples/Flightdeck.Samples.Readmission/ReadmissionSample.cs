using System.Globalization;
using Flightdeck.Samples.Readmission.Data;
using Flightdeck.Samples.Readmission.Training;

namespace Flightdeck.Samples.Readmission;

/// <summary>The sample end to end: generate the data, describe it, train with a per-step sweep.</summary>
public static class ReadmissionSample
{
    public const string DatasetName = "readmission-synthetic";

    public static async Task<TrainingResult?> RunAsync(SampleOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var workDir = Path.GetFullPath(Path.Combine(options.WorkDir, $"seed{options.Seed}-rows{options.Rows}"));
        var csvPath = Path.Combine(workDir, "readmission.csv");
        var records = ReadmissionDataGenerator.Generate(options.Seed, options.Rows);
        ReadmissionDataGenerator.WriteCsv(records, csvPath);
        var dataset = DatasetDescription.Describe(DatasetName, csvPath, records);
        output.WriteLine($"Dataset {dataset.Name} ({records.Count} rows, digest {dataset.Digest}) at {csvPath}");

        var trainer = new ReadmissionTrainer(new TrainingSettings { Seed = options.Seed });
        var result = trainer.Train(csvPath, Path.Combine(workDir, "model.zip"), step => output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  trees={step.Trees,3}  val_auc={step.Validation.Auc:0.0000}  val_log_loss={step.Validation.LogLoss:0.0000}  val_f1={step.Validation.F1:0.0000}")),
            cancellationToken);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Final AUC {result.Final.Auc:0.0000}, baseline AUC {result.Baseline?.Auc:0.0000}"));
        return result;
    }
}
