using Flightdeck.Client;
using Flightdeck.MlNet.Models;
using Flightdeck.Models;
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

    /// <summary>
    /// Logs <paramref name="model"/> as an MLmodel package under the run's artifacts at <paramref name="artifactPath"/>:
    /// <c>model.zip</c> (mlnet flavor), optionally <c>model.onnx</c>, the signature inferred from
    /// <paramref name="inputSample"/>'s schema (minus <paramref name="labelColumnName"/>) and its first rows as the input
    /// example. With <paramref name="registeredModelName"/>, also registers the package as the next version of that model
    /// (created on first use) with source <c>runs:/RUN_ID/ARTIFACT_PATH</c>.
    /// </summary>
    public static Task<LoggedModel> LogModelAsync(
        this ActiveRun run, ITransformer model, IDataView inputSample, string artifactPath = "model", string? registeredModelName = null,
        OnnxExport onnxExport = OnnxExport.None, string labelColumnName = "Label", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputSample);
        return ModelLogging.LogAsync(run, model, (writer, folder, options) => writer.Write(folder, model, inputSample, options),
            artifactPath, registeredModelName, onnxExport, labelColumnName, cancellationToken);
    }

    /// <summary>As the <see cref="IDataView"/> overload, from a schema alone: the package then has no input example.</summary>
    public static Task<LoggedModel> LogModelAsync(
        this ActiveRun run, ITransformer model, DataViewSchema inputSchema, string artifactPath = "model", string? registeredModelName = null,
        OnnxExport onnxExport = OnnxExport.None, string labelColumnName = "Label", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return ModelLogging.LogAsync(run, model, (writer, folder, options) => writer.Write(folder, model, inputSchema, options),
            artifactPath, registeredModelName, onnxExport, labelColumnName, cancellationToken);
    }
}
