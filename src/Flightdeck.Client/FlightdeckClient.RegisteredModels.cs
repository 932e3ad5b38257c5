using System.Runtime.CompilerServices;
using Flightdeck.Client.Http;
using Flightdeck.Contracts;

namespace Flightdeck.Client;

// The model registry's registered-models endpoints (mlflow/protos/model_registry.proto). Versions are strings on the wire, as in MLflow.
public sealed partial class FlightdeckClient
{
    /// <summary>POST registered-models/create. A duplicate name throws <see cref="ResourceAlreadyExistsException"/>.</summary>
    public async Task<RegisteredModel> CreateRegisteredModelAsync(CreateRegisteredModelRequest request, CancellationToken cancellationToken = default) =>
        (await PostAsync("registered-models/create", request, Json.CreateRegisteredModelRequest, Json.RegisteredModelResponse, cancellationToken))
        .RegisteredModel;

    /// <summary>Creates a registered model.</summary>
    public Task<RegisteredModel> CreateRegisteredModelAsync(
        string name, string? description = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default) =>
        CreateRegisteredModelAsync(new CreateRegisteredModelRequest
        {
            Name = name,
            Description = description,
            Tags = tags?.Select(t => new RegisteredModelTag(t.Key, t.Value)).ToList(),
        }, cancellationToken);

    /// <summary>GET registered-models/get: the model with its latest version per stage, tags and aliases.</summary>
    public async Task<RegisteredModel> GetRegisteredModelAsync(string name, CancellationToken cancellationToken = default) =>
        (await GetAsync("registered-models/get", new QueryString().Add("name", name), Json.RegisteredModelResponse, cancellationToken)).RegisteredModel;

    /// <summary>POST registered-models/rename; the versions follow the model.</summary>
    public async Task<RegisteredModel> RenameRegisteredModelAsync(string name, string newName, CancellationToken cancellationToken = default) =>
        (await PostAsync("registered-models/rename", new RenameRegisteredModelRequest { Name = name, NewName = newName },
            Json.RenameRegisteredModelRequest, Json.RegisteredModelResponse, cancellationToken)).RegisteredModel;

    /// <summary>PATCH registered-models/update: sets the description.</summary>
    public async Task<RegisteredModel> UpdateRegisteredModelAsync(string name, string? description, CancellationToken cancellationToken = default) =>
        (await SendBodyAsync(HttpMethod.Patch, "registered-models/update", new UpdateRegisteredModelRequest { Name = name, Description = description },
            Json.UpdateRegisteredModelRequest, Json.RegisteredModelResponse, cancellationToken)).RegisteredModel;

    /// <summary>DELETE registered-models/delete: the model, its versions, tags and aliases.</summary>
    public Task DeleteRegisteredModelAsync(string name, CancellationToken cancellationToken = default) =>
        SendBodyAsync(HttpMethod.Delete, "registered-models/delete", new RegisteredModelNameRequest { Name = name },
            Json.RegisteredModelNameRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>
    /// GET registered-models/search: one page of models. <paramref name="filter"/> uses MLflow's grammar
    /// (<c>name LIKE 'fraud%'</c>, <c>tags.team = 'risk'</c>); <paramref name="orderBy"/> items look like <c>name ASC</c>
    /// or <c>last_updated_timestamp DESC</c>. The server's default page is 100 models, its maximum 1000.
    /// </summary>
    public Task<SearchRegisteredModelsResponse> SearchRegisteredModelsAsync(
        string? filter = null, IReadOnlyList<string>? orderBy = null, int? maxResults = null, string? pageToken = null,
        CancellationToken cancellationToken = default) =>
        GetAsync("registered-models/search", SearchQuery(filter, orderBy, maxResults, pageToken), Json.SearchRegisteredModelsResponse, cancellationToken);

    /// <summary>Every registered model matching <paramref name="filter"/>, following page tokens.</summary>
    public async IAsyncEnumerable<RegisteredModel> EnumerateRegisteredModelsAsync(
        string? filter = null, IReadOnlyList<string>? orderBy = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? pageToken = null;
        do
        {
            var page = await SearchRegisteredModelsAsync(filter, orderBy, pageToken: pageToken, cancellationToken: cancellationToken);
            foreach (var model in page.RegisteredModels)
            {
                yield return model;
            }

            pageToken = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(pageToken));
    }

    /// <summary>POST registered-models/set-tag.</summary>
    public Task SetRegisteredModelTagAsync(string name, string key, string value, CancellationToken cancellationToken = default) =>
        PostAsync("registered-models/set-tag", new SetRegisteredModelTagRequest { Name = name, Key = key, Value = value },
            Json.SetRegisteredModelTagRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>DELETE registered-models/delete-tag. Deleting a tag that is not set succeeds.</summary>
    public Task DeleteRegisteredModelTagAsync(string name, string key, CancellationToken cancellationToken = default) =>
        SendBodyAsync(HttpMethod.Delete, "registered-models/delete-tag", new DeleteRegisteredModelTagRequest { Name = name, Key = key },
            Json.DeleteRegisteredModelTagRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>POST registered-models/alias: points <paramref name="alias"/> at <paramref name="version"/>, moving it if it pointed elsewhere.</summary>
    public Task SetRegisteredModelAliasAsync(string name, string alias, string version, CancellationToken cancellationToken = default) =>
        PostAsync("registered-models/alias", new RegisteredModelAliasRequest { Name = name, Alias = alias, Version = version },
            Json.RegisteredModelAliasRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>DELETE registered-models/alias.</summary>
    public Task DeleteRegisteredModelAliasAsync(string name, string alias, CancellationToken cancellationToken = default) =>
        SendBodyAsync(HttpMethod.Delete, "registered-models/alias", new RegisteredModelAliasRequest { Name = name, Alias = alias },
            Json.RegisteredModelAliasRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>GET registered-models/alias: the version an alias points at; an unknown alias throws <see cref="ResourceNotFoundException"/>.</summary>
    public async Task<ModelVersion> GetModelVersionByAliasAsync(string name, string alias, CancellationToken cancellationToken = default) =>
        (await GetAsync("registered-models/alias", new QueryString().Add("name", name).Add("alias", alias), Json.ModelVersionResponse,
            cancellationToken)).ModelVersion;

    /// <summary>
    /// POST registered-models/get-latest-versions: the newest version in each of <paramref name="stages"/>
    /// (every stage when none are given).
    /// </summary>
    public async Task<List<ModelVersion>> GetLatestVersionsAsync(
        string name, IEnumerable<string>? stages = null, CancellationToken cancellationToken = default) =>
        (await PostAsync("registered-models/get-latest-versions", new GetLatestVersionsRequest { Name = name, Stages = stages?.ToList() },
            Json.GetLatestVersionsRequest, Json.ModelVersionsResponse, cancellationToken)).ModelVersions;

    private static QueryString SearchQuery(string? filter, IReadOnlyList<string>? orderBy, int? maxResults, string? pageToken) =>
        new QueryString()
            .Add("filter", string.IsNullOrEmpty(filter) ? null : filter)
            .Add("max_results", maxResults)
            .AddEach("order_by", orderBy)
            .Add("page_token", string.IsNullOrEmpty(pageToken) ? null : pageToken);

    /// <summary>A PATCH or DELETE with a JSON body, as MLflow's registry clients send them.</summary>
    private Task<TResponse> SendBodyAsync<TRequest, TResponse>(
        HttpMethod method, string route, TRequest body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestType,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken) =>
        SendJsonAsync(method, MlflowApi + route, JsonContent(body, requestType), responseType, cancellationToken);
}
