using System.Runtime.CompilerServices;
using Flightdeck.Client.Http;
using Flightdeck.Contracts;

namespace Flightdeck.Client;

// The model registry's model-versions endpoints, and Flightdeck's registry history.
public sealed partial class FlightdeckClient
{
    private const string FlightdeckApi = "api/flightdeck/v1/";

    /// <summary>
    /// POST model-versions/create. The source is <c>runs:/RUN_ID/path</c> (resolved under the run's artifacts) or an
    /// artifact location; the server hands out the next version number of the model.
    /// </summary>
    public async Task<ModelVersion> CreateModelVersionAsync(CreateModelVersionRequest request, CancellationToken cancellationToken = default) =>
        (await PostAsync("model-versions/create", request, Json.CreateModelVersionRequest, Json.ModelVersionResponse, cancellationToken)).ModelVersion;

    /// <summary>Registers a new version of the model <paramref name="name"/> from <paramref name="source"/>.</summary>
    public Task<ModelVersion> CreateModelVersionAsync(
        string name, string source, string? runId = null, IReadOnlyDictionary<string, string>? tags = null, string? description = null,
        CancellationToken cancellationToken = default) =>
        CreateModelVersionAsync(new CreateModelVersionRequest
        {
            Name = name,
            Source = source,
            RunId = runId,
            Tags = tags?.Select(t => new ModelVersionTag(t.Key, t.Value)).ToList(),
            Description = description,
        }, cancellationToken);

    /// <summary>GET model-versions/get.</summary>
    public async Task<ModelVersion> GetModelVersionAsync(string name, string version, CancellationToken cancellationToken = default) =>
        (await GetAsync("model-versions/get", new QueryString().Add("name", name).Add("version", version), Json.ModelVersionResponse,
            cancellationToken)).ModelVersion;

    /// <summary>PATCH model-versions/update: sets the description.</summary>
    public async Task<ModelVersion> UpdateModelVersionAsync(string name, string version, string? description, CancellationToken cancellationToken = default) =>
        (await SendBodyAsync(HttpMethod.Patch, "model-versions/update", new UpdateModelVersionRequest { Name = name, Version = version, Description = description },
            Json.UpdateModelVersionRequest, Json.ModelVersionResponse, cancellationToken)).ModelVersion;

    /// <summary>DELETE model-versions/delete. The number is never handed out again.</summary>
    public Task DeleteModelVersionAsync(string name, string version, CancellationToken cancellationToken = default) =>
        SendBodyAsync(HttpMethod.Delete, "model-versions/delete", new ModelVersionRequest { Name = name, Version = version },
            Json.ModelVersionRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>
    /// GET model-versions/search: one page of versions. <paramref name="filter"/> uses MLflow's grammar over <c>name</c>,
    /// <c>run_id</c>, <c>source_path</c>, <c>version_number</c> and <c>tags.KEY</c> (e.g. <c>name = 'fraud' AND tags.validated = 'yes'</c>).
    /// </summary>
    public Task<SearchModelVersionsResponse> SearchModelVersionsAsync(
        string? filter = null, IReadOnlyList<string>? orderBy = null, int? maxResults = null, string? pageToken = null,
        CancellationToken cancellationToken = default) =>
        GetAsync("model-versions/search", SearchQuery(filter, orderBy, maxResults, pageToken), Json.SearchModelVersionsResponse, cancellationToken);

    /// <summary>Every model version matching <paramref name="filter"/>, following page tokens.</summary>
    public async IAsyncEnumerable<ModelVersion> EnumerateModelVersionsAsync(
        string? filter = null, IReadOnlyList<string>? orderBy = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? pageToken = null;
        do
        {
            var page = await SearchModelVersionsAsync(filter, orderBy, pageToken: pageToken, cancellationToken: cancellationToken);
            foreach (var version in page.ModelVersions)
            {
                yield return version;
            }

            pageToken = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(pageToken));
    }

    /// <summary>POST model-versions/set-tag.</summary>
    public Task SetModelVersionTagAsync(string name, string version, string key, string value, CancellationToken cancellationToken = default) =>
        PostAsync("model-versions/set-tag", new SetModelVersionTagRequest { Name = name, Version = version, Key = key, Value = value },
            Json.SetModelVersionTagRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>DELETE model-versions/delete-tag. Deleting a tag that is not set succeeds.</summary>
    public Task DeleteModelVersionTagAsync(string name, string version, string key, CancellationToken cancellationToken = default) =>
        SendBodyAsync(HttpMethod.Delete, "model-versions/delete-tag", new DeleteModelVersionTagRequest { Name = name, Version = version, Key = key },
            Json.DeleteModelVersionTagRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>
    /// POST model-versions/transition-stage (deprecated by MLflow in favour of aliases, still used by clients). With
    /// <paramref name="archiveExistingVersions"/>, the model's other versions in that stage move to Archived.
    /// </summary>
    public async Task<ModelVersion> TransitionModelVersionStageAsync(
        string name, string version, string stage, bool archiveExistingVersions = false, CancellationToken cancellationToken = default) =>
        (await PostAsync("model-versions/transition-stage",
            new TransitionModelVersionStageRequest { Name = name, Version = version, Stage = stage, ArchiveExistingVersions = archiveExistingVersions },
            Json.TransitionModelVersionStageRequest, Json.ModelVersionResponse, cancellationToken)).ModelVersion;

    /// <summary>GET model-versions/get-download-uri: where the version's files are (e.g. <c>mlflow-artifacts:/1/RUN/artifacts/model</c>).</summary>
    public async Task<string> GetModelVersionDownloadUriAsync(string name, string version, CancellationToken cancellationToken = default) =>
        (await GetAsync("model-versions/get-download-uri", new QueryString().Add("name", name).Add("version", version),
            Json.ModelVersionDownloadUriResponse, cancellationToken)).ArtifactUri;

    /// <summary>GET /api/flightdeck/v1/registered-models/history: every recorded change of a model, oldest first.</summary>
    public async Task<List<RegistryEvent>> GetRegisteredModelHistoryAsync(string name, CancellationToken cancellationToken = default) =>
        (await GetAsync("registered-models/history", new QueryString().Add("name", name), Json.RegistryHistoryResponse, cancellationToken,
            prefix: FlightdeckApi)).Events;

    /// <summary>
    /// GET /api/flightdeck/v1/registered-models/alias-at: the version <paramref name="alias"/> pointed at, at <paramref name="time"/>.
    /// Throws <see cref="ResourceNotFoundException"/> when it pointed at none then.
    /// </summary>
    public Task<AliasAtResponse> GetAliasAtAsync(string name, string alias, DateTimeOffset time, CancellationToken cancellationToken = default) =>
        GetAsync("registered-models/alias-at",
            new QueryString().Add("name", name).Add("alias", alias).Add("time", time.ToUnixTimeMilliseconds()), Json.AliasAtResponse, cancellationToken,
            prefix: FlightdeckApi);
}
