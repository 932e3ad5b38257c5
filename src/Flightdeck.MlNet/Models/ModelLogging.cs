using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Flightdeck.Client;
using Flightdeck.Contracts;
using Flightdeck.Models;
using Microsoft.ML;

namespace Flightdeck.MlNet.Models;

/// <summary>Writes a model package, uploads it under a run's artifacts and optionally registers it.</summary>
internal static class ModelLogging
{
    /// <summary>MLflow's run tag listing the models logged to the run (its UI reads it to show them).</summary>
    public const string HistoryTag = "mlflow.log-model.history";

    private static readonly ConditionalWeakTable<ActiveRun, JsonArray> History = new();

    public static async Task<LoggedModel> LogAsync(
        ActiveRun run, ITransformer model, Func<ModelPackageWriter, string, ModelPackageWriteOptions, ModelPackage> write,
        string artifactPath, string? registeredModelName, OnnxExport onnxExport, string labelColumnName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(model);
        var path = NormalizeArtifactPath(artifactPath);
        if (registeredModelName is not null && string.IsNullOrWhiteSpace(registeredModelName))
        {
            throw new ArgumentException("A registered model name must not be blank.", nameof(registeredModelName));
        }

        var folder = Directory.CreateTempSubdirectory("flightdeck-model-");
        try
        {
            var options = new ModelPackageWriteOptions
            {
                RunId = run.RunId,
                ArtifactPath = path,
                ExcludedInputColumns = [labelColumnName],
                OnnxExport = onnxExport,
            };
            var package = write(new ModelPackageWriter(), folder.FullName, options);
            await run.LogArtifactAsync(folder.FullName, path, cancellationToken: cancellationToken);
            RecordHistory(run, package, path);

            ModelVersion? version = null;
            if (registeredModelName is not null)
            {
                version = await RegisterAsync(run, registeredModelName, path, cancellationToken);
            }

            return new LoggedModel(run.RunId, path, package, version);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<ModelVersion> RegisterAsync(ActiveRun run, string name, string path, CancellationToken cancellationToken)
    {
        try
        {
            await run.Client.CreateRegisteredModelAsync(name, cancellationToken: cancellationToken);
        }
        catch (ResourceAlreadyExistsException)
        {
            // Registering into an existing model is the common case; only the first version creates it.
        }

        return await run.Client.CreateModelVersionAsync(name, $"runs:/{run.RunId}/{path}", run.RunId, cancellationToken: cancellationToken);
    }

    private static void RecordHistory(ActiveRun run, ModelPackage package, string path)
    {
        var flavors = new JsonObject();
        foreach (var name in package.Flavors.Keys)
        {
            flavors[name] = new JsonObject();
        }

        var entry = new JsonObject
        {
            ["run_id"] = run.RunId,
            ["artifact_path"] = path,
            ["utc_time_created"] = package.UtcTimeCreated.ToString(ModelPackage.TimeFormat, CultureInfo.InvariantCulture),
            ["model_uuid"] = package.ModelUuid,
            ["flavors"] = flavors,
        };
        var history = History.GetValue(run, _ => []);
        string text;
        lock (history)
        {
            history.Add(entry);
            text = history.ToJsonString();
        }

        run.SetTag(HistoryTag, text);
    }

    private static string NormalizeArtifactPath(string artifactPath)
    {
        var segments = (artifactPath ?? "").Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || segments.Any(s => s is "." or ".."))
        {
            throw new ArgumentException(
                $"The model's artifact path must be a relative folder such as \"model\", not '{artifactPath}'.", nameof(artifactPath));
        }

        return string.Join('/', segments);
    }
}
