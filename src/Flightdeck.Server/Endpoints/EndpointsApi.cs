using Flightdeck.Contracts;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Endpoints;

/// <summary>Managed serving endpoints: create, list, read, change and delete them, read their history, and roll
/// versions out (deploy, promote, rollback). Invocations are mapped by <see cref="EndpointInvocationApi"/>.</summary>
internal static class EndpointsApi
{
    public const string Prefix = "/api/flightdeck/v1/endpoints";

    private const int JsonLimitBytes = 64 * 1024;
    private const int DefaultEvents = 100;
    private const int MaxEvents = 1000;

    private static readonly EndpointJsonContext Json = EndpointJsonContext.Default;

    public static IEndpointRouteBuilder MapEndpointsApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup(Prefix).WithTags("Endpoints");
        api.MapPost("", Create);
        api.MapGet("", List);
        api.MapGet("/{name}", Get);
        api.MapPatch("/{name}", Update);
        api.MapDelete("/{name}", Delete);
        api.MapGet("/{name}/history", History);
        api.MapPost("/{name}/deploy", Deploy);
        api.MapPost("/{name}/promote", Promote);
        api.MapPost("/{name}/rollback", Rollback);
        api.MapEndpointInvocations();
        return routes;
    }

    private static async Task<IResult> Create(HttpContext context, EndpointLifecycle lifecycle)
    {
        var request = await RequestBody.ReadAsync(context, Json.CreateEndpointRequest, JsonLimitBytes);
        return Answer(await lifecycle.CreateAsync(request, context.RequestAborted));
    }

    private static async Task<IResult> List(HttpContext context, EndpointStore store) =>
        TypedResults.Json(new ListEndpointsResponse { Endpoints = await store.ListAsync(context.RequestAborted) }, Json.ListEndpointsResponse);

    private static async Task<IResult> Get(HttpContext context, string name, EndpointStore store) =>
        Answer(await store.GetAsync(EndpointValidation.Name(name), context.RequestAborted));

    private static async Task<IResult> Update(HttpContext context, string name, EndpointLifecycle lifecycle)
    {
        var request = await RequestBody.ReadAsync(context, Json.UpdateEndpointRequest, JsonLimitBytes);
        return Answer(await lifecycle.UpdateAsync(name, request, context.RequestAborted));
    }

    private static async Task<IResult> Delete(HttpContext context, string name, EndpointLifecycle lifecycle)
    {
        await lifecycle.DeleteAsync(name, context.RequestAborted);
        return TypedResults.Json(new EmptyResponse(), FlightdeckJsonContext.Default.EmptyResponse);
    }

    private static async Task<IResult> History(HttpContext context, string name, EndpointStore store)
    {
        var query = context.Request.Query;
        var limit = Validation.MaxResults(query.Long("max_results"), DefaultEvents, MaxEvents);
        var page = await store.HistoryAsync(EndpointValidation.Name(name), query.String("page_token"), limit, context.RequestAborted);
        return TypedResults.Json(page, Json.ListEndpointEventsResponse);
    }

    private static async Task<IResult> Deploy(HttpContext context, string name, EndpointLifecycle lifecycle)
    {
        var request = await RequestBody.ReadAsync(context, Json.DeployRequest, JsonLimitBytes);
        return Answer(await lifecycle.DeployAsync(name, request, context.RequestAborted));
    }

    private static async Task<IResult> Promote(HttpContext context, string name, EndpointLifecycle lifecycle)
    {
        var request = await RequestBody.ReadAsync(context, Json.RolloutActionRequest, JsonLimitBytes);
        return Answer(await lifecycle.PromoteAsync(name, request.Reason ?? $"Promoted by {ActorOf(context)}", ct: context.RequestAborted));
    }

    private static async Task<IResult> Rollback(HttpContext context, string name, EndpointLifecycle lifecycle)
    {
        var request = await RequestBody.ReadAsync(context, Json.RolloutActionRequest, JsonLimitBytes);
        return Answer(await lifecycle.RollbackAsync(name, request.Reason ?? $"Rolled back by {ActorOf(context)}", ct: context.RequestAborted));
    }

    private static string ActorOf(HttpContext context) => Registry.RegistryActor.Of(context);

    private static IResult Answer(ServingEndpoint endpoint) => TypedResults.Json(new EndpointResponse(endpoint), Json.EndpointResponse);
}
