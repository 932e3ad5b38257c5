using Flightdeck.Contracts;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Registry;

/// <summary>MLflow's registered-models endpoints.</summary>
internal static class RegisteredModelsApi
{
    private const int DefaultSearchResults = 100;
    private const int MaxSearchResults = 1000;

    private static readonly FlightdeckJsonContext Json = FlightdeckJsonContext.Default;

    public static void MapRegisteredModelsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/registered-models/create", Create);
        api.MapGet("/registered-models/get", Get);
        api.MapPost("/registered-models/rename", Rename);
        api.MapPatch("/registered-models/update", Update);
        api.MapDelete("/registered-models/delete", Delete);
        api.MapGet("/registered-models/search", Search);
        api.MapPost("/registered-models/set-tag", SetTag);
        api.MapDelete("/registered-models/delete-tag", DeleteTag);
        api.MapPost("/registered-models/alias", SetAlias);
        api.MapDelete("/registered-models/alias", DeleteAlias);
        api.MapGet("/registered-models/alias", GetByAlias);
        api.MapGet("/registered-models/get-latest-versions", LatestVersionsGet);
        api.MapPost("/registered-models/get-latest-versions", LatestVersionsPost);
    }

    private static async Task<IResult> Create(HttpContext context, RegisteredModelStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.CreateRegisteredModelRequest);
        var name = RegistryValidation.ModelName(request.Name);
        var tags = (request.Tags ?? []).Select((t, i) => RegistryValidation.Tag(t?.Key, t?.Value, $"tags[{i}].key", $"tags[{i}].value")).ToList();
        var model = await store.CreateAsync(name, tags, RegistryValidation.Description(request.Description), RegistryActor.Of(context), context.RequestAborted);
        return ModelAnswer(model);
    }

    private static async Task<IResult> Get(HttpContext context, RegisteredModelStore store)
    {
        var name = RegistryValidation.ModelName(context.Request.Query.String("name"));
        return ModelAnswer(await store.GetAsync(name, context.RequestAborted));
    }

    private static async Task<IResult> Rename(HttpContext context, RegisteredModelStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.RenameRegisteredModelRequest);
        var name = RegistryValidation.ModelName(request.Name);
        var newName = RegistryValidation.ModelName(request.NewName, "new_name");
        return ModelAnswer(await store.RenameAsync(name, newName, RegistryActor.Of(context), context.RequestAborted));
    }

    private static async Task<IResult> Update(HttpContext context, RegisteredModelStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.UpdateRegisteredModelRequest);
        var name = RegistryValidation.ModelName(request.Name);
        var description = RegistryValidation.Description(request.Description);
        return ModelAnswer(await store.UpdateAsync(name, description, RegistryActor.Of(context), context.RequestAborted));
    }

    private static async Task<IResult> Delete(HttpContext context, RegisteredModelStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.RegisteredModelNameRequest);
        var name = RegistryValidation.ModelName(RegistryRequest.Field(context, request.Name, "name"));
        await store.DeleteAsync(name, RegistryActor.Of(context), context.RequestAborted);
        return ExperimentsApi.Empty();
    }

    private static async Task<IResult> Search(HttpContext context, RegisteredModelStore store, Database database)
    {
        var query = context.Request.Query;
        var maxResults = Validation.MaxResults(query.Long("max_results"), DefaultSearchResults, MaxSearchResults);
        var compiled = RegistrySearch.CompileModels(query.String("filter"), query.List("order_by"), database.Dialect);
        var (page, next) = await RegistryRequest.PageAsync(
            (limit, offset) => store.QueryAsync(
                $"SELECT {RegistryReader.ModelColumns} FROM registered_models m WHERE {compiled.Where} ORDER BY {compiled.OrderBy} LIMIT @limit OFFSET @offset",
                RegistryRequest.Parameters(compiled, limit, offset), context.RequestAborted),
            maxResults, query.String("page_token"));
        return TypedResults.Json(new SearchRegisteredModelsResponse { RegisteredModels = page, NextPageToken = next }, Json.SearchRegisteredModelsResponse);
    }

    private static async Task<IResult> SetTag(HttpContext context, RegisteredModelStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.SetRegisteredModelTagRequest);
        var name = RegistryValidation.ModelName(request.Name);
        var (key, value) = RegistryValidation.Tag(request.Key, request.Value);
        await store.SetTagAsync(name, key, value, RegistryActor.Of(context), context.RequestAborted);
        return ExperimentsApi.Empty();
    }

    private static async Task<IResult> DeleteTag(HttpContext context, RegisteredModelStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.DeleteRegisteredModelTagRequest);
        var name = RegistryValidation.ModelName(RegistryRequest.Field(context, request.Name, "name"));
        var key = Validation.Required(RegistryRequest.Field(context, request.Key, "key"), "key");
        await store.DeleteTagAsync(name, key, RegistryActor.Of(context), context.RequestAborted);
        return ExperimentsApi.Empty();
    }

    private static async Task<IResult> SetAlias(HttpContext context, RegisteredModelStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.RegisteredModelAliasRequest);
        var name = RegistryValidation.ModelName(request.Name);
        var alias = RegistryValidation.Alias(request.Alias);
        var version = RegistryValidation.Version(request.Version);
        await store.SetAliasAsync(name, alias, version, RegistryActor.Of(context), context.RequestAborted);
        return ExperimentsApi.Empty();
    }

    private static async Task<IResult> DeleteAlias(HttpContext context, RegisteredModelStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.RegisteredModelAliasRequest);
        var name = RegistryValidation.ModelName(RegistryRequest.Field(context, request.Name, "name"));
        var alias = Validation.Required(RegistryRequest.Field(context, request.Alias, "alias"), "alias");
        await store.DeleteAliasAsync(name, alias, RegistryActor.Of(context), context.RequestAborted);
        return ExperimentsApi.Empty();
    }

    private static async Task<IResult> GetByAlias(HttpContext context, RegisteredModelStore store)
    {
        var name = RegistryValidation.ModelName(context.Request.Query.String("name"));
        var alias = Validation.Required(context.Request.Query.String("alias"), "alias");
        var version = await store.GetByAliasAsync(name, alias, context.RequestAborted);
        return TypedResults.Json(new ModelVersionResponse(version), Json.ModelVersionResponse);
    }

    private static Task<IResult> LatestVersionsGet(HttpContext context, RegisteredModelStore store) =>
        LatestVersionsAsync(context, store, context.Request.Query.String("name"), context.Request.Query.List("stages"));

    private static async Task<IResult> LatestVersionsPost(HttpContext context, RegisteredModelStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.GetLatestVersionsRequest);
        return await LatestVersionsAsync(context, store, request.Name, request.Stages ?? []);
    }

    private static async Task<IResult> LatestVersionsAsync(HttpContext context, RegisteredModelStore store, string? name, IReadOnlyList<string> stages)
    {
        var validName = RegistryValidation.ModelName(name);
        var validStages = stages.Select(s => RegistryValidation.Stage(s, "stages")).ToList();
        var versions = await store.LatestVersionsAsync(validName, validStages, context.RequestAborted);
        return TypedResults.Json(new ModelVersionsResponse { ModelVersions = versions }, Json.ModelVersionsResponse);
    }

    private static IResult ModelAnswer(RegisteredModel model) =>
        TypedResults.Json(new RegisteredModelResponse(model), Json.RegisteredModelResponse);
}
