using Flightdeck.Contracts;
using Flightdeck.Server.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Registry;

/// <summary>Flightdeck's registry history routes: a model's timeline, and which version held an alias at a given time.</summary>
internal static class RegistryHistoryApi
{
    public const string Prefix = "/api/flightdeck/v1/registered-models";

    private static readonly FlightdeckJsonContext Json = FlightdeckJsonContext.Default;

    public static void MapRegistryHistoryApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup(Prefix).WithTags("Registry history");
        api.MapGet("/history", History);
        api.MapGet("/alias-at", AliasAt);
    }

    private static async Task<IResult> History(HttpContext context, RegistryEvents events)
    {
        var name = RegistryValidation.ModelName(context.Request.Query.String("name"));
        var timeline = await events.HistoryAsync(name, context.RequestAborted);
        if (timeline.Count == 0)
        {
            throw RegistryValidation.ModelNotFound(name);
        }

        return TypedResults.Json(new RegistryHistoryResponse { Events = timeline }, Json.RegistryHistoryResponse);
    }

    private static async Task<IResult> AliasAt(HttpContext context, RegistryEvents events)
    {
        var query = context.Request.Query;
        var name = RegistryValidation.ModelName(query.String("name"));
        var alias = Validation.Required(query.String("alias"), "alias");
        var time = Validation.Timestamp(query.Long("time"), "time");
        var held = await events.AliasAtAsync(name, alias, time, context.RequestAborted);
        return held is { } found
            ? TypedResults.Json(new AliasAtResponse(name, alias, time, RegistryReader.Text(found.Version), found.SetAt), Json.AliasAtResponse)
            : throw FlightdeckException.NotFound(
                $"Alias {Validation.Shorten(alias)} of registered model {Validation.Shorten(name)} pointed at no version at time {time}.");
    }
}
