using Flightdeck.Contracts;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Registry;

/// <summary>MLflow's model-versions endpoints.</summary>
internal static class ModelVersionsApi
{
    // MLflow's SEARCH_MODEL_VERSION_MAX_RESULTS_DEFAULT and _THRESHOLD.
    private const int DefaultSearchResults = 200_000;
    private const int MaxSearchResults = 200_000;

    private static readonly FlightdeckJsonContext Json = FlightdeckJsonContext.Default;

    public static void MapModelVersionsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/model-versions/create", Create);
        api.MapGet("/model-versions/get", Get);
        api.MapPatch("/model-versions/update", Update);
        api.MapDelete("/model-versions/delete", Delete);
        api.MapGet("/model-versions/search", Search);
        api.MapPost("/model-versions/set-tag", SetTag);
        api.MapDelete("/model-versions/delete-tag", DeleteTag);
        api.MapPost("/model-versions/transition-stage", TransitionStage);
        api.MapGet("/model-versions/get-download-uri", DownloadUri);
    }

    private static async Task<IResult> Create(HttpContext context, ModelVersionStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.CreateModelVersionRequest);
        var name = RegistryValidation.ModelName(request.Name);
        var source = ModelSource.Validate(request.Source);
        var tags = (request.Tags ?? []).Select((t, i) => RegistryValidation.Tag(t?.Key, t?.Value, $"tags[{i}].key", $"tags[{i}].value")).ToList();
        var runLink = request.RunLink is { Length: > ModelSource.MaxLength }
            ? throw FlightdeckException.InvalidParameter($"'run_link' exceeds the maximum length of {ModelSource.MaxLength} characters")
            : request.RunLink;
        var version = await store.CreateAsync(
            new ModelVersionStore.NewVersion(name, source, string.IsNullOrEmpty(request.RunId) ? null : request.RunId, runLink,
                RegistryValidation.Description(request.Description), tags),
            RegistryActor.Of(context), context.RequestAborted);
        return VersionAnswer(version);
    }

    private static async Task<IResult> Get(HttpContext context, ModelVersionStore store)
    {
        var (name, version) = Key(context.Request.Query.String("name"), context.Request.Query.String("version"));
        return VersionAnswer(await store.GetAsync(name, version, context.RequestAborted));
    }

    private static async Task<IResult> Update(HttpContext context, ModelVersionStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.UpdateModelVersionRequest);
        var (name, version) = Key(request.Name, request.Version);
        var description = RegistryValidation.Description(request.Description);
        return VersionAnswer(await store.UpdateAsync(name, version, description, RegistryActor.Of(context), context.RequestAborted));
    }

    private static async Task<IResult> Delete(HttpContext context, ModelVersionStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.ModelVersionRequest);
        var (name, version) = Key(RegistryRequest.Field(context, request.Name, "name"), RegistryRequest.Field(context, request.Version, "version"));
        await store.DeleteAsync(name, version, RegistryActor.Of(context), context.RequestAborted);
        return ExperimentsApi.Empty();
    }

    private static async Task<IResult> Search(HttpContext context, ModelVersionStore store, Database database)
    {
        var query = context.Request.Query;
        var maxResults = Validation.MaxResults(query.Long("max_results"), DefaultSearchResults, MaxSearchResults);
        var compiled = RegistrySearch.CompileVersions(query.String("filter"), query.List("order_by"), database.Dialect);
        var (page, next) = await RegistryRequest.PageAsync(
            (limit, offset) => store.QueryAsync(
                $"SELECT {RegistryReader.VersionColumns} FROM model_versions v WHERE {compiled.Where} ORDER BY {compiled.OrderBy} LIMIT @limit OFFSET @offset",
                RegistryRequest.Parameters(compiled, limit, offset), context.RequestAborted),
            maxResults, query.String("page_token"));
        return TypedResults.Json(new SearchModelVersionsResponse { ModelVersions = page, NextPageToken = next }, Json.SearchModelVersionsResponse);
    }

    private static async Task<IResult> SetTag(HttpContext context, ModelVersionStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.SetModelVersionTagRequest);
        var (name, version) = Key(request.Name, request.Version);
        var (key, value) = RegistryValidation.Tag(request.Key, request.Value);
        await store.SetTagAsync(name, version, key, value, RegistryActor.Of(context), context.RequestAborted);
        return ExperimentsApi.Empty();
    }

    private static async Task<IResult> DeleteTag(HttpContext context, ModelVersionStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.DeleteModelVersionTagRequest);
        var (name, version) = Key(RegistryRequest.Field(context, request.Name, "name"), RegistryRequest.Field(context, request.Version, "version"));
        var key = Validation.Required(RegistryRequest.Field(context, request.Key, "key"), "key");
        await store.DeleteTagAsync(name, version, key, RegistryActor.Of(context), context.RequestAborted);
        return ExperimentsApi.Empty();
    }

    private static async Task<IResult> TransitionStage(HttpContext context, ModelVersionStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.TransitionModelVersionStageRequest);
        var (name, version) = Key(request.Name, request.Version);
        var stage = RegistryValidation.Stage(request.Stage);
        var archive = Validation.Required(request.ArchiveExistingVersions, "archive_existing_versions");
        return VersionAnswer(await store.TransitionAsync(name, version, stage, archive, RegistryActor.Of(context), context.RequestAborted));
    }

    private static async Task<IResult> DownloadUri(HttpContext context, ModelVersionStore store)
    {
        var (name, version) = Key(context.Request.Query.String("name"), context.Request.Query.String("version"));
        var uri = await store.DownloadUriAsync(name, version, context.RequestAborted);
        return TypedResults.Json(new ModelVersionDownloadUriResponse(uri), Json.ModelVersionDownloadUriResponse);
    }

    private static (string Name, int Version) Key(string? name, string? version) =>
        (RegistryValidation.ModelName(name), RegistryValidation.Version(version));

    private static IResult VersionAnswer(ModelVersion version) =>
        TypedResults.Json(new ModelVersionResponse(version), Json.ModelVersionResponse);
}
