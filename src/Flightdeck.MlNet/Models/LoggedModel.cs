using Flightdeck.Contracts;
using Flightdeck.Models;

namespace Flightdeck.MlNet;

/// <summary>A model logged by <see cref="MlNetRunExtensions.LogModelAsync(Flightdeck.Client.ActiveRun, Microsoft.ML.ITransformer, Microsoft.ML.IDataView, string, string?, OnnxExport, string, CancellationToken)"/>.</summary>
/// <param name="RunId">The run whose artifacts hold the package.</param>
/// <param name="ArtifactPath">The package's folder under the run's artifacts.</param>
/// <param name="Package">The package's MLmodel metadata (flavors, signature, model_uuid).</param>
/// <param name="RegisteredVersion">The registered version, when a registered model name was given.</param>
public sealed record LoggedModel(string RunId, string ArtifactPath, ModelPackage Package, ModelVersion? RegisteredVersion)
{
    /// <summary><c>runs:/RUN_ID/ARTIFACT_PATH</c>, loadable with <see cref="MlNetClientExtensions.LoadModelAsync"/>.</summary>
    public string ModelUri => $"runs:/{RunId}/{ArtifactPath}";

    /// <summary><c>models:/NAME/VERSION</c> when the model was registered.</summary>
    public string? RegisteredModelUri => RegisteredVersion is { } v ? $"models:/{v.Name}/{v.Version}" : null;
}
