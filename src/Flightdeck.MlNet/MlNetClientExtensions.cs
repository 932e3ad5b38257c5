using Flightdeck.Client;
using Flightdeck.MlNet.Models;
using Flightdeck.Models;

namespace Flightdeck.MlNet;

/// <summary>Loading logged and registered models from a Flightdeck client.</summary>
public static class MlNetClientExtensions
{
    /// <summary>
    /// Resolves <paramref name="modelUri"/> (<c>models:/NAME@ALIAS</c>, <c>models:/NAME/VERSION</c>, <c>models:/NAME/latest</c>,
    /// <c>models:/NAME/STAGE</c> or <c>runs:/RUN_ID/PATH</c>), downloads the package once per resolved version into
    /// <paramref name="cacheDirectory"/> (default: <c>$FLIGHTDECK_MODEL_CACHE</c>, else the user's local data folder) and
    /// returns a ready predictor: a batch of rows in, predictions out, inputs checked against the signature.
    /// </summary>
    /// <exception cref="Flightdeck.Contracts.FlightdeckException">A malformed URI (INVALID_PARAMETER_VALUE), before any request.</exception>
    /// <exception cref="ResourceNotFoundException">An unknown run, model, version or alias.</exception>
    /// <exception cref="ModelPackageException">The files are not a loadable model package.</exception>
    public static async Task<IPredictor> LoadModelAsync(
        this FlightdeckClient client, string modelUri, ModelLoadOptions? options = null, string? cacheDirectory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var uri = ModelUri.Parse(modelUri);
        var resolved = await client.ResolveModelUriAsync(uri, cancellationToken);
        var folder = await new ModelCache(cacheDirectory ?? ModelCache.DefaultRoot()).GetAsync(client, resolved, cancellationToken);
        return ModelLoader.Load(folder, options);
    }
}
