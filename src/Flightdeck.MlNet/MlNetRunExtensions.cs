using Flightdeck.Client;
using Microsoft.ML;

namespace Flightdeck.MlNet;

/// <summary>ML.NET on a Flightdeck run: autologging, and logging models.</summary>
public static class MlNetRunExtensions
{
    /// <summary>
    /// Starts ML.NET autologging into <paramref name="run"/>: fit and evaluate through the returned object and the run
    /// records hyperparameters, metrics, datasets and the model (see <see cref="MlNetAutolog"/>). Dispose it before the run.
    /// </summary>
    /// <example><code>
    /// await using var run = await client.StartRunAsync("readmission");
    /// await using var autolog = run.AutologMlNet(mlContext, new() { DatasetName = "patients" });
    /// var model = await autolog.FitAsync(pipeline, split.TrainSet);
    /// autolog.EvaluateBinary(model, split.TestSet, "readmitted");      // test_auc, test_f1_score, ...
    /// </code></example>
    public static MlNetAutolog AutologMlNet(this ActiveRun run, MLContext mlContext, MlNetAutologOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(mlContext);
        return new MlNetAutolog(run, mlContext, options ?? new MlNetAutologOptions());
    }
}
