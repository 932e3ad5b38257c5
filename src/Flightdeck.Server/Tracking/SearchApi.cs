using System.Globalization;
using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking.Search;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Tracking;

/// <summary>runs/search and experiments/search: MLflow's filter grammar compiled to SQL (Search/), paged by offset tokens.</summary>
internal static class SearchApi
{
    private const int DefaultRunResults = 1000;
    private const int DefaultExperimentResults = 1000;

    private static readonly FlightdeckJsonContext Json = FlightdeckJsonContext.Default;

    public static void MapSearchApi(this RouteGroupBuilder api)
    {
        api.MapPost("/runs/search", SearchRuns);
        api.MapPost("/experiments/search", SearchExperimentsPost);
        api.MapGet("/experiments/search", SearchExperimentsGet);
    }

    private static async Task<IResult> SearchRuns(HttpContext context, RunStore runs, Database database)
    {
        var request = await RequestBody.ReadAsync(context, Json.SearchRunsRequest);
        var maxResults = Validation.MaxResults(request.MaxResults, DefaultRunResults, Validation.MaxSearchResults);
        var offset = PageToken.Decode(request.PageToken);
        var experimentIds = (request.ExperimentIds ?? [])
            .Select(id => long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw Validation.Invalid("experiment_ids", id))
            .Distinct()
            .ToList();
        if (experimentIds.Count == 0)
        {
            return TypedResults.Json(new SearchRunsResponse(), Json.SearchRunsResponse);
        }

        var compiled = RunSearch.Compile(request.Filter, request.OrderBy, database.Dialect);
        var scope = $"""
            r.experiment_id IN ({string.Join(",", experimentIds)})
              AND r.lifecycle_stage IN ({ExperimentStore.LifecycleStagesSql(request.RunViewType ?? ViewType.ActiveOnly)})
            """;
        var page = compiled.Walk is { } walk
            ? await MetricWalkPage.TryReadAsync(compiled, walk, scope, maxResults + 1L, offset, runs, database, context.RequestAborted)
            : null;
        if (page is null)
        {
            var parameters = ToParameters(compiled);
            parameters.Add("@limit", (long)maxResults + 1);
            parameters.Add("@offset", offset);
            var sql = $"""
                SELECT {RunStore.SelectColumns} FROM runs r {compiled.Joins}
                WHERE {scope} AND ({compiled.Where})
                ORDER BY {compiled.OrderBy} LIMIT @limit OFFSET @offset
                """;
            page = await runs.QueryAsync(sql, parameters, context.RequestAborted);
        }

        var more = page.Count > maxResults;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        return TypedResults.Json(
            new SearchRunsResponse { Runs = page, NextPageToken = more ? PageToken.Encode(offset + maxResults) : null },
            Json.SearchRunsResponse);
    }

    private static async Task<IResult> SearchExperimentsPost(HttpContext context, ExperimentStore experiments, Database database)
    {
        var request = await RequestBody.ReadAsync(context, Json.SearchExperimentsRequest);
        return await SearchExperimentsAsync(request, experiments, database, context.RequestAborted);
    }

    private static Task<IResult> SearchExperimentsGet(HttpContext context, ExperimentStore experiments, Database database)
    {
        var query = context.Request.Query;
        var request = new SearchExperimentsRequest
        {
            MaxResults = query.Long("max_results"),
            PageToken = query.String("page_token"),
            Filter = query.String("filter"),
            OrderBy = query.List("order_by"),
            ViewType = ExperimentsApi.ParseViewType(query.String("view_type"), "view_type"),
        };
        return SearchExperimentsAsync(request, experiments, database, context.RequestAborted);
    }

    private static async Task<IResult> SearchExperimentsAsync(SearchExperimentsRequest request, ExperimentStore experiments, Database database,
        CancellationToken ct)
    {
        var maxResults = Validation.MaxResults(request.MaxResults, DefaultExperimentResults, Validation.MaxSearchResults);
        var offset = PageToken.Decode(request.PageToken);
        var compiled = ExperimentSearch.Compile(request.Filter, request.OrderBy, database.Dialect);
        var parameters = ToParameters(compiled);
        parameters.Add("@limit", (long)maxResults + 1);
        parameters.Add("@offset", offset);
        var sql = $"""
            SELECT e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time, e.last_update_time
            FROM experiments e {compiled.Joins}
            WHERE e.lifecycle_stage IN ({ExperimentStore.LifecycleStagesSql(request.ViewType ?? ViewType.ActiveOnly)}) AND ({compiled.Where})
            ORDER BY {compiled.OrderBy} LIMIT @limit OFFSET @offset
            """;
        var page = await experiments.QueryAsync(sql, parameters, ct);
        var more = page.Count > maxResults;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        return TypedResults.Json(
            new SearchExperimentsResponse { Experiments = page, NextPageToken = more ? PageToken.Encode(offset + maxResults) : null },
            Json.SearchExperimentsResponse);
    }

    internal static DynamicParameters ToParameters(CompiledSearch compiled)
    {
        var parameters = new DynamicParameters();
        foreach (var (name, value) in compiled.Parameters)
        {
            parameters.Add(name, value);
        }

        return parameters;
    }
}
