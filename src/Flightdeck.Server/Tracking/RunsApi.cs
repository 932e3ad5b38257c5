using Flightdeck.Contracts;
using Flightdeck.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Tracking;

/// <summary>MLflow's runs, logging and metric-history endpoints.</summary>
internal static class RunsApi
{
    /// <summary>MLflow caps a log-batch JSON body at 1 MB (MAX_BATCH_LOG_REQUEST_SIZE); Flightdeck allows some headroom.</summary>
    private const long LogBatchLimitBytes = 4 * 1024 * 1024;

    private static readonly FlightdeckJsonContext Json = FlightdeckJsonContext.Default;

    public static void MapRunsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/runs/create", Create);
        api.MapGet("/runs/get", Get);
        api.MapPost("/runs/update", Update);
        api.MapPost("/runs/delete", Delete);
        api.MapPost("/runs/restore", Restore);
        api.MapPost("/runs/log-metric", LogMetric);
        api.MapPost("/runs/log-parameter", LogParam);
        api.MapPost("/runs/set-tag", SetTag);
        api.MapPost("/runs/delete-tag", DeleteTag);
        api.MapPost("/runs/log-batch", LogBatch);
        api.MapPost("/runs/log-inputs", LogInputs);
        api.MapGet("/metrics/get-history", GetHistory);
        api.MapGet("/metrics/get-history-bulk-interval", GetHistoryBulkInterval);
    }

    private static async Task<IResult> Create(HttpContext context, RunStore runs)
    {
        var request = await RequestBody.ReadAsync(context, Json.CreateRunRequest);
        var experimentId = string.IsNullOrEmpty(request.ExperimentId) ? ExperimentStore.DefaultExperimentId : Validation.ExperimentId(request.ExperimentId);
        var tags = (request.Tags ?? []).Select((t, i) =>
        {
            var key = Validation.Key(t?.Key, "tag", $"tags[{i}].key");
            return new RunTag(key, Validation.Value(t!.Value, Validation.MaxTagValueLength, "Tag", key, $"tags[{i}].value"));
        }).ToList();
        if (request.RunName is { Length: > Validation.MaxRunNameLength })
        {
            throw FlightdeckException.InvalidParameter($"Run name exceeds the maximum length of {Validation.MaxRunNameLength} characters.");
        }

        if (request.UserId is { Length: > Validation.MaxUserIdLength })
        {
            throw FlightdeckException.InvalidParameter($"user_id exceeds the maximum length of {Validation.MaxUserIdLength} characters.");
        }

        if (request.StartTime is < 0)
        {
            throw Validation.Invalid("start_time", request.StartTime);
        }

        var run = await runs.CreateAsync(experimentId, request.UserId, request.RunName, request.StartTime, tags, context.RequestAborted);
        return TypedResults.Json(new RunResponse(run), Json.RunResponse);
    }

    private static async Task<IResult> Get(HttpContext context, RunStore runs)
    {
        var query = context.Request.Query;
        var runId = Validation.RunId(query.String("run_id") is { Length: > 0 } id ? id : query.String("run_uuid"));
        var run = await runs.GetAsync(runId, context.RequestAborted);
        return TypedResults.Json(new RunResponse(run), Json.RunResponse);
    }

    private static async Task<IResult> Update(HttpContext context, RunStore runs)
    {
        var request = await RequestBody.ReadAsync(context, Json.UpdateRunRequest);
        var runId = Validation.RunId(request.EffectiveRunId);
        if (request.EndTime is < 0)
        {
            throw Validation.Invalid("end_time", request.EndTime);
        }

        var info = await runs.UpdateAsync(runId, request.Status, request.EndTime, request.RunName, context.RequestAborted);
        return TypedResults.Json(new UpdateRunResponse(info), Json.UpdateRunResponse);
    }

    private static async Task<IResult> Delete(HttpContext context, RunStore runs)
    {
        var request = await RequestBody.ReadAsync(context, Json.RunIdRequest);
        await runs.DeleteAsync(Validation.RunId(request.EffectiveRunId), context.RequestAborted);
        return ExperimentsApi.Empty();
    }

    private static async Task<IResult> Restore(HttpContext context, RunStore runs)
    {
        var request = await RequestBody.ReadAsync(context, Json.RunIdRequest);
        await runs.RestoreAsync(Validation.RunId(request.EffectiveRunId), context.RequestAborted);
        return ExperimentsApi.Empty();
    }

    private static async Task<IResult> LogMetric(HttpContext context, RunLogWriter writer)
    {
        var request = await RequestBody.ReadAsync(context, Json.LogMetricRequest);
        var runId = Validation.RunId(request.EffectiveRunId);
        var metric = new Metric { Key = request.Key, Value = request.Value, Timestamp = request.Timestamp, Step = request.Step };
        var (metrics, _, _) = RunLogWriter.Validate([metric], null, null);
        await writer.LogBatchAsync(runId, metrics, [], [], context.RequestAborted);
        return ExperimentsApi.Empty();
    }

    private static async Task<IResult> LogParam(HttpContext context, RunLogWriter writer)
    {
        var request = await RequestBody.ReadAsync(context, Json.LogParamRequest);
        var runId = Validation.RunId(request.EffectiveRunId);
        var (_, parameters, _) = RunLogWriter.Validate(null, [new Param(request.Key, request.Value)], null);
        await writer.LogBatchAsync(runId, [], parameters, [], context.RequestAborted);
        return ExperimentsApi.Empty();
    }

    private static async Task<IResult> SetTag(HttpContext context, RunLogWriter writer)
    {
        var request = await RequestBody.ReadAsync(context, Json.SetTagRequest);
        var runId = Validation.RunId(request.EffectiveRunId);
        var (_, _, tags) = RunLogWriter.Validate(null, null, [new RunTag(request.Key, request.Value)]);
        await writer.LogBatchAsync(runId, [], [], tags, context.RequestAborted);
        return ExperimentsApi.Empty();
    }

    private static async Task<IResult> DeleteTag(HttpContext context, RunStore runs)
    {
        var request = await RequestBody.ReadAsync(context, Json.DeleteTagRequest);
        var runId = Validation.RunId(request.EffectiveRunId);
        await runs.DeleteTagAsync(runId, Validation.Required(request.Key, "key"), context.RequestAborted);
        return ExperimentsApi.Empty();
    }

    private static async Task<IResult> LogBatch(HttpContext context, RunLogWriter writer)
    {
        var request = await RequestBody.ReadAsync(context, Json.LogBatchRequest, LogBatchLimitBytes);
        var runId = Validation.RunId(request.EffectiveRunId);
        var (metrics, parameters, tags) = RunLogWriter.Validate(request.Metrics, request.Params, request.Tags);
        if (metrics.Count + parameters.Count + tags.Count > 0)
        {
            await writer.LogBatchAsync(runId, metrics, parameters, tags, context.RequestAborted);
        }
        else
        {
            // An empty batch still names a run that must exist.
            _ = await context.RequestServices.GetRequiredService<RunStore>().FindLocationAsync(runId, context.RequestAborted)
                ?? throw Validation.RunNotFound(runId);
        }

        return ExperimentsApi.Empty();
    }

    private static async Task<IResult> LogInputs(HttpContext context, DatasetInputWriter writer)
    {
        var request = await RequestBody.ReadAsync(context, Json.LogInputsRequest);
        var runId = Validation.RunId(request.EffectiveRunId);
        var inputs = DatasetInputWriter.Validate(request.Datasets);
        await writer.LogAsync(runId, inputs, context.RequestAborted);
        return ExperimentsApi.Empty();
    }

    private static async Task GetHistory(HttpContext context, MetricHistoryReader reader)
    {
        var query = context.Request.Query;
        var runId = Validation.RunId(query.String("run_id") is { Length: > 0 } id ? id : query.String("run_uuid"));
        var key = Validation.Required(query.String("metric_key"), "metric_key");
        var offset = PageToken.Decode(query.String("page_token"));
        int? maxResults = query.Long("max_results") is { } requested
            ? Validation.MaxResults(requested, int.MaxValue, int.MaxValue)
            : null;
        await reader.WriteHistoryAsync(context.Response, runId, key, offset, maxResults, context.RequestAborted);
    }

    private static async Task<IResult> GetHistoryBulkInterval(HttpContext context, MetricHistoryReader reader)
    {
        var query = context.Request.Query;
        var runIds = query.List("run_ids");
        if (runIds.Count == 0)
        {
            throw Validation.Missing("run_ids");
        }

        if (runIds.Count > MetricHistoryReader.MaxBulkRuns)
        {
            throw FlightdeckException.InvalidParameter(
                $"GetMetricHistoryBulkInterval request must specify at most {MetricHistoryReader.MaxBulkRuns} run_ids. Received {runIds.Count} run_ids.");
        }

        runIds = runIds.Select(Validation.RunId).ToList();
        var key = Validation.Required(query.String("metric_key"), "metric_key");
        var startStep = query.Long("start_step");
        var endStep = query.Long("end_step");
        if ((startStep is null) != (endStep is null))
        {
            throw FlightdeckException.InvalidParameter("If either start step or end step are specified, both must be specified.");
        }

        if (startStep > endStep)
        {
            throw FlightdeckException.InvalidParameter("end_step must be greater than start_step.");
        }

        var maxResults = Validation.MaxResults(query.Long("max_results"), MetricHistoryReader.MaxBulkResults, MetricHistoryReader.MaxBulkResults);
        var metrics = await reader.SampleAsync(runIds, key, startStep, endStep, maxResults, context.RequestAborted);
        return TypedResults.Json(new GetMetricHistoryBulkIntervalResponse { Metrics = metrics }, Json.GetMetricHistoryBulkIntervalResponse);
    }
}
