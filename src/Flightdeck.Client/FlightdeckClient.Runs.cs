using System.Runtime.CompilerServices;
using Flightdeck.Client.Http;
using Flightdeck.Contracts;

namespace Flightdeck.Client;

public sealed partial class FlightdeckClient
{
    /// <summary>POST runs/create.</summary>
    public Task<RunResponse> CreateRunAsync(CreateRunRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("runs/create", request, Json.CreateRunRequest, Json.RunResponse, cancellationToken);

    /// <summary>GET runs/get. <c>data.metrics</c> holds the latest value of each metric.</summary>
    public Task<RunResponse> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        GetAsync("runs/get", new QueryString().Add("run_id", runId), Json.RunResponse, cancellationToken);

    /// <summary>POST runs/update: status, end time and/or name.</summary>
    public Task<UpdateRunResponse> UpdateRunAsync(UpdateRunRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("runs/update", request, Json.UpdateRunRequest, Json.UpdateRunResponse, cancellationToken);

    /// <summary>Marks a run terminated with <paramref name="status"/>, ending it now.</summary>
    public Task<UpdateRunResponse> SetTerminatedAsync(string runId, RunStatus status = RunStatus.Finished, CancellationToken cancellationToken = default) =>
        UpdateRunAsync(new UpdateRunRequest { RunId = runId, Status = status, EndTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
            cancellationToken);

    /// <summary>POST runs/delete (restorable until garbage-collected).</summary>
    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken = default) =>
        PostAsync("runs/delete", new RunIdRequest { RunId = runId }, Json.RunIdRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>POST runs/restore.</summary>
    public Task RestoreRunAsync(string runId, CancellationToken cancellationToken = default) =>
        PostAsync("runs/restore", new RunIdRequest { RunId = runId }, Json.RunIdRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>POST runs/search: one page of runs.</summary>
    public Task<SearchRunsResponse> SearchRunsAsync(SearchRunsRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("runs/search", request, Json.SearchRunsRequest, Json.SearchRunsResponse, cancellationToken);

    /// <summary>Every run matching <paramref name="request"/>, following page tokens.</summary>
    public async IAsyncEnumerable<Run> EnumerateRunsAsync(SearchRunsRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var page = request;
        while (true)
        {
            var answer = await SearchRunsAsync(page, cancellationToken);
            foreach (var run in answer.Runs)
            {
                yield return run;
            }

            if (string.IsNullOrEmpty(answer.NextPageToken))
            {
                yield break;
            }

            page = page with { PageToken = answer.NextPageToken };
        }
    }

    /// <summary>POST runs/log-metric.</summary>
    public Task LogMetricAsync(LogMetricRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("runs/log-metric", request, Json.LogMetricRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>Logs one metric point; the timestamp defaults to now and the step to 0.</summary>
    public Task LogMetricAsync(
        string runId, string key, double value, long? step = null, long? timestamp = null, CancellationToken cancellationToken = default) =>
        LogMetricAsync(new LogMetricRequest
        {
            RunId = runId,
            Key = key,
            Value = value,
            Step = step ?? 0,
            Timestamp = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        }, cancellationToken);

    /// <summary>POST runs/log-parameter. Params are write-once: a changed value is refused.</summary>
    public Task LogParamAsync(LogParamRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("runs/log-parameter", request, Json.LogParamRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>Logs a param.</summary>
    public Task LogParamAsync(string runId, string key, string value, CancellationToken cancellationToken = default) =>
        LogParamAsync(new LogParamRequest { RunId = runId, Key = key, Value = value }, cancellationToken);

    /// <summary>POST runs/set-tag.</summary>
    public Task SetTagAsync(SetTagRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("runs/set-tag", request, Json.SetTagRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>Sets a run tag (the last value wins).</summary>
    public Task SetTagAsync(string runId, string key, string value, CancellationToken cancellationToken = default) =>
        SetTagAsync(new SetTagRequest { RunId = runId, Key = key, Value = value }, cancellationToken);

    /// <summary>POST runs/delete-tag.</summary>
    public Task DeleteTagAsync(DeleteTagRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("runs/delete-tag", request, Json.DeleteTagRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>Deletes a run tag.</summary>
    public Task DeleteTagAsync(string runId, string key, CancellationToken cancellationToken = default) =>
        DeleteTagAsync(new DeleteTagRequest { RunId = runId, Key = key }, cancellationToken);

    /// <summary>
    /// POST runs/log-batch. The server takes at most 1000 metrics, 100 params and 100 tags per call; an
    /// <see cref="ActiveRun"/> splits its buffer into such chunks for you.
    /// </summary>
    public Task LogBatchAsync(LogBatchRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("runs/log-batch", request, Json.LogBatchRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>POST runs/log-inputs: the datasets a run used.</summary>
    public Task LogInputsAsync(LogInputsRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("runs/log-inputs", request, Json.LogInputsRequest, Json.EmptyResponse, cancellationToken);

    /// <summary>GET metrics/get-history: one page of a metric's points.</summary>
    public Task<GetMetricHistoryResponse> GetMetricHistoryPageAsync(
        string runId, string metricKey, string? pageToken = null, int? maxResults = null, CancellationToken cancellationToken = default) =>
        GetAsync("metrics/get-history",
            new QueryString().Add("run_id", runId).Add("metric_key", metricKey).Add("page_token", pageToken).Add("max_results", maxResults),
            Json.GetMetricHistoryResponse, cancellationToken);

    /// <summary>GET metrics/get-history, following page tokens: every point of a metric in logged order.</summary>
    public async Task<GetMetricHistoryResponse> GetMetricHistoryAsync(string runId, string metricKey, CancellationToken cancellationToken = default)
    {
        var all = new List<Metric>();
        string? token = null;
        do
        {
            var page = await GetMetricHistoryPageAsync(runId, metricKey, token, cancellationToken: cancellationToken);
            all.AddRange(page.Metrics);
            token = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(token));

        return new GetMetricHistoryResponse { Metrics = all };
    }

    /// <summary>
    /// GET metrics/get-history-bulk-interval: a metric of up to 100 runs, sampled evenly over steps (first and last kept).
    /// <paramref name="startStep"/> and <paramref name="endStep"/> go together.
    /// </summary>
    public Task<GetMetricHistoryBulkIntervalResponse> GetMetricHistoryBulkIntervalAsync(
        IEnumerable<string> runIds, string metricKey, long? startStep = null, long? endStep = null, int? maxResults = null,
        CancellationToken cancellationToken = default) =>
        GetAsync("metrics/get-history-bulk-interval",
            new QueryString().AddEach("run_ids", runIds).Add("metric_key", metricKey).Add("start_step", startStep).Add("end_step", endStep)
                .Add("max_results", maxResults),
            Json.GetMetricHistoryBulkIntervalResponse, cancellationToken);
}
