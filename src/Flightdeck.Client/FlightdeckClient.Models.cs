using System.Globalization;
using System.Net;
using Flightdeck.Contracts;

namespace Flightdeck.Client;

/// <summary>Where a <see cref="ModelUri"/> points: the artifact location of its files, the run that made it and the registered version, if any.</summary>
/// <param name="Uri">The URI that was resolved.</param>
/// <param name="ArtifactUri">The location of the model's folder, e.g. <c>mlflow-artifacts:/1/RUN/artifacts/model</c>.</param>
/// <param name="RunId">The run that produced the model; null for a version registered without one.</param>
/// <param name="ArtifactPath">The model's folder under the run's artifact root, when the model lies inside a run's artifacts.</param>
/// <param name="ModelVersion">The registered version, for <c>models:/</c> URIs.</param>
public sealed record ResolvedModel(ModelUri Uri, string ArtifactUri, string? RunId, string? ArtifactPath, ModelVersion? ModelVersion);

/// <summary>A model downloaded to a local folder.</summary>
/// <param name="Model">Where it came from.</param>
/// <param name="LocalPath">The local folder holding the model's files (its <c>MLmodel</c> file at the top for a model package).</param>
public sealed record DownloadedModel(ResolvedModel Model, string LocalPath);

// Model URIs: runs:/, models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/STAGE and models:/NAME/latest.
public sealed partial class FlightdeckClient
{
    /// <summary>Resolves a model URI (see <see cref="ModelUri"/>); a malformed one throws <see cref="FlightdeckException"/> before any request.</summary>
    public Task<ResolvedModel> ResolveModelUriAsync(string modelUri, CancellationToken cancellationToken = default) =>
        ResolveModelUriAsync(ModelUri.Parse(modelUri), cancellationToken);

    /// <summary>
    /// Resolves a model URI: a run URI to the run's artifact folder; a registry URI to its version (by number, alias,
    /// stage or latest) and that version's download location. Unknown runs, models, versions, aliases or empty stages
    /// throw <see cref="ResourceNotFoundException"/>.
    /// </summary>
    public async Task<ResolvedModel> ResolveModelUriAsync(ModelUri modelUri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(modelUri);
        if (modelUri.Kind == ModelUriKind.Run)
        {
            var run = await GetRunAsync(modelUri.RunId!, cancellationToken);
            var root = run.Run.Info.ArtifactUri;
            var location = modelUri.ArtifactPath!.Length == 0 ? root : root.TrimEnd('/') + "/" + modelUri.ArtifactPath;
            return new ResolvedModel(modelUri, location, modelUri.RunId, modelUri.ArtifactPath, null);
        }

        var version = await FindVersionAsync(modelUri, cancellationToken);
        var artifactUri = await GetModelVersionDownloadUriAsync(version.Name, version.Version, cancellationToken);
        var runId = string.IsNullOrEmpty(version.RunId) ? null : version.RunId;
        var artifactPath = await PathInRunAsync(version, runId, artifactUri, cancellationToken);
        return new ResolvedModel(modelUri, artifactUri, runId, artifactPath, version);
    }

    /// <summary>
    /// Resolves <paramref name="modelUri"/> and downloads the model's folder into <paramref name="destination"/> (created if
    /// missing): its files land directly in it. A model that is a single file lands as <c>destination/&lt;file name&gt;</c>.
    /// The files must be served by the tracking server's artifact proxy (<c>mlflow-artifacts:/</c> locations).
    /// </summary>
    public async Task<DownloadedModel> DownloadModelAsync(
        string modelUri, string destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        var model = await ResolveModelUriAsync(modelUri, cancellationToken);
        return await DownloadModelAsync(model, destination, progress, cancellationToken);
    }

    /// <summary>
    /// Downloads an already resolved model into <paramref name="destination"/>, so that an alias moved in between does not
    /// change what is downloaded. See <see cref="DownloadModelAsync(string, string, IProgress{long}?, CancellationToken)"/>.
    /// </summary>
    public async Task<DownloadedModel> DownloadModelAsync(
        ResolvedModel model, string destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        var proxyPath = ArtifactPath.ToProxyPath(model.ArtifactUri);
        var listing = await ListProxiedArtifactsAsync(proxyPath, cancellationToken);
        if (listing.Files.Count > 0)
        {
            await DownloadArtifactAsync(model.ArtifactUri, null, destination, progress, cancellationToken);
            return new DownloadedModel(model, destination);
        }

        // An empty listing is a single file or nothing at all: fetching it tells which.
        var slash = proxyPath.LastIndexOf('/');
        if (slash < 0)
        {
            throw NoModelFiles(model);
        }

        try
        {
            var local = await DownloadArtifactAsync(ArtifactPath.ProxyScheme + ":/" + proxyPath[..slash], proxyPath[(slash + 1)..], destination, progress,
                cancellationToken);
            return new DownloadedModel(model, local);
        }
        catch (ResourceNotFoundException)
        {
            throw NoModelFiles(model);
        }
    }

    private async Task<ModelVersion> FindVersionAsync(ModelUri uri, CancellationToken cancellationToken)
    {
        var name = uri.Name!;
        switch (uri.Kind)
        {
            case ModelUriKind.Version:
                return await GetModelVersionAsync(name, uri.Version!, cancellationToken);
            case ModelUriKind.Alias:
                return await GetModelVersionByAliasAsync(name, uri.Alias!, cancellationToken);
            case ModelUriKind.Stage:
                var inStage = await GetLatestVersionsAsync(name, [uri.Stage!], cancellationToken);
                return inStage.FirstOrDefault() ?? throw new ResourceNotFoundException(
                    $"Registered model '{name}' has no version in stage '{uri.Stage}' (from {uri}).", HttpStatusCode.NotFound);
            default:
                var latest = await GetLatestVersionsAsync(name, cancellationToken: cancellationToken);
                return latest.MaxBy(v => long.Parse(v.Version, NumberStyles.None, CultureInfo.InvariantCulture))
                    ?? throw new ResourceNotFoundException($"Registered model '{name}' has no versions (from {uri}).", HttpStatusCode.NotFound);
        }
    }

    /// <summary>The model's folder under its run's artifact root, from a runs:/ source or by comparing locations.</summary>
    private async Task<string?> PathInRunAsync(ModelVersion version, string? runId, string artifactUri, CancellationToken cancellationToken)
    {
        if (ModelUri.TryParse(version.Source, out var source, out _) && source.Kind == ModelUriKind.Run)
        {
            return source.ArtifactPath;
        }

        if (runId is null)
        {
            return null;
        }

        try
        {
            var root = (await GetRunAsync(runId, cancellationToken)).Run.Info.ArtifactUri.TrimEnd('/');
            return artifactUri == root ? "" : artifactUri.StartsWith(root + "/", StringComparison.Ordinal) ? artifactUri[(root.Length + 1)..] : null;
        }
        catch (ResourceNotFoundException)
        {
            return null; // The run was deleted for good; the version still names its files.
        }
    }

    private static ResourceNotFoundException NoModelFiles(ResolvedModel model) =>
        new($"No model files at {model.ArtifactUri} (resolved from {model.Uri}).", HttpStatusCode.NotFound);
}
