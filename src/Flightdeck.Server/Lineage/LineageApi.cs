using Flightdeck.Contracts;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Lineage;

/// <summary>
/// <c>GET /api/flightdeck/v1/lineage?node=&amp;direction=&amp;depth=</c>, Flightdeck's lineage graph, and the Marquez-compatible
/// OpenLineage intake <c>POST /api/v1/lineage</c> (201 with an empty body, as Marquez answers).
/// </summary>
internal static class LineageApi
{
    /// <summary>A RunEvent with many datasets and facets stays well under this.</summary>
    private const long EventLimitBytes = 4 * 1024 * 1024;

    public static void MapLineageGraphApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/flightdeck/v1/lineage", Graph).WithTags("Lineage");
        routes.MapPost("/api/v1/lineage", RecordEvent).WithTags("OpenLineage");
    }

    private static async Task<IResult> Graph(HttpContext context, LineageGraph graph)
    {
        var query = context.Request.Query;
        var node = LineageNodeId.Parse(query.String("node"));
        var direction = query.String("direction") switch
        {
            null or "" or "both" => LineageDirection.Both,
            "upstream" => LineageDirection.Upstream,
            "downstream" => LineageDirection.Downstream,
            var other => throw FlightdeckException.InvalidParameter(
                $"Invalid value '{Validation.Shorten(other)}' for parameter 'direction': expected upstream, downstream or both."),
        };
        var depth = query.Long("depth") ?? LineageGraph.DefaultDepth;
        if (depth is < 1 or > LineageGraph.MaxDepth)
        {
            throw FlightdeckException.InvalidParameter(
                $"Invalid value {depth} for parameter 'depth': it must be between 1 and {LineageGraph.MaxDepth}.");
        }

        var answer = await graph.WalkAsync(node, direction, (int)depth, context.RequestAborted);
        return TypedResults.Json(answer, LineageJsonContext.Default.LineageGraphResponse);
    }

    private static async Task<IResult> RecordEvent(HttpContext context, OpenLineageStore store)
    {
        var runEvent = await RequestBody.ReadAsync(context, OpenLineageJsonContext.Default.OpenLineageRunEvent, EventLimitBytes);
        await store.RecordAsync(OpenLineageValidation.Validate(runEvent), context.RequestAborted);
        return TypedResults.StatusCode(StatusCodes.Status201Created);
    }
}
