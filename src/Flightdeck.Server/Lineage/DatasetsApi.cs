using Flightdeck.Contracts;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Lineage;

/// <summary>
/// <c>/api/flightdeck/v1/datasets</c>: search datasets (by experiment, name, a name fragment, owner), get one with the
/// runs that used it, and set its owner.
/// </summary>
internal static class DatasetsApi
{
    public const string Prefix = "/api/flightdeck/v1/datasets";
    public const int DefaultMaxResults = 100;
    public const int MaxResults = 1000;

    private static readonly LineageJsonContext Json = LineageJsonContext.Default;

    public static void MapDatasetsApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup(Prefix).WithTags("Datasets");
        api.MapGet("", Search);
        api.MapGet("/{datasetId}", Get);
        api.MapPut("/{datasetId}/owner", SetOwner);
    }

    private static async Task<IResult> Search(HttpContext context, DatasetStore datasets)
    {
        var query = context.Request.Query;
        var request = new DatasetStore.Query(
            [.. query.List("experiment_id").Select(id => Validation.ExperimentId(id))],
            NonEmpty(query.String("name")),
            NonEmpty(query.String("name_contains")),
            NonEmpty(query.String("owner")),
            Validation.MaxResults(query.Long("max_results"), DefaultMaxResults, MaxResults),
            PageToken.Decode(query.String("page_token")));
        var (page, more) = await datasets.SearchAsync(request, context.RequestAborted);
        return TypedResults.Json(new ListDatasetsResponse
        {
            Datasets = page,
            NextPageToken = more ? PageToken.Encode(request.Offset + page.Count) : null,
        }, Json.ListDatasetsResponse);
    }

    private static async Task<IResult> Get(string datasetId, HttpContext context, DatasetStore datasets) =>
        TypedResults.Json(await datasets.GetAsync(DatasetId(datasetId), context.RequestAborted), Json.GetDatasetResponse);

    private static async Task<IResult> SetOwner(string datasetId, HttpContext context, DatasetStore datasets)
    {
        var request = await RequestBody.ReadAsync(context, Json.SetDatasetOwnerRequest);
        if (request.Owner is { } owner && owner.Contains('\0', StringComparison.Ordinal))
        {
            throw FlightdeckException.InvalidParameter("owner must not contain NUL characters.");
        }

        if (request.Owner is { Length: > DatasetStore.MaxOwnerLength })
        {
            throw FlightdeckException.InvalidParameter($"owner exceeds the maximum length of {DatasetStore.MaxOwnerLength} characters.");
        }

        var record = await datasets.SetOwnerAsync(DatasetId(datasetId), request.Owner?.Trim(), context.RequestAborted);
        return TypedResults.Json(record, Json.DatasetRecord);
    }

    /// <summary>Dataset ids are UUIDs; anything else names no dataset.</summary>
    private static string DatasetId(string text) =>
        Guid.TryParse(text, out var id) ? id.ToString() : throw DatasetStore.NotFound(text);

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
