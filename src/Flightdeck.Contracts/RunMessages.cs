namespace Flightdeck.Contracts;

// Requests and responses of the runs and metrics endpoints. Every run request accepts the deprecated
// run_uuid in place of run_id, as MLflow does.

public abstract record RunRequest
{
    public string? RunId { get; init; }
    public string? RunUuid { get; init; }

    /// <summary>The run id, from run_id or else the deprecated run_uuid.</summary>
    public string? EffectiveRunId => string.IsNullOrEmpty(RunId) ? RunUuid : RunId;
}

public sealed record CreateRunRequest
{
    public string? ExperimentId { get; init; }
    public string? UserId { get; init; }
    public string? RunName { get; init; }
    public long? StartTime { get; init; }
    public List<RunTag>? Tags { get; init; }
}

public sealed record RunResponse(Run Run);

public sealed record UpdateRunRequest : RunRequest
{
    public RunStatus? Status { get; init; }
    public long? EndTime { get; init; }
    public string? RunName { get; init; }
}

public sealed record UpdateRunResponse(RunInfo RunInfo);

public sealed record RunIdRequest : RunRequest;

public sealed record SearchRunsRequest
{
    public List<string>? ExperimentIds { get; init; }
    public string? Filter { get; init; }
    public ViewType? RunViewType { get; init; }
    public long? MaxResults { get; init; }
    public List<string>? OrderBy { get; init; }
    public string? PageToken { get; init; }
}

public sealed record SearchRunsResponse
{
    public List<Run> Runs { get; init; } = [];
    public string? NextPageToken { get; init; }
}

public sealed record LogMetricRequest : RunRequest
{
    public string? Key { get; init; }
    public double? Value { get; init; }
    public long? Timestamp { get; init; }
    public long? Step { get; init; }
}

public sealed record LogParamRequest : RunRequest
{
    public string? Key { get; init; }
    public string? Value { get; init; }
}

public sealed record SetTagRequest : RunRequest
{
    public string? Key { get; init; }
    public string? Value { get; init; }
}

public sealed record DeleteTagRequest : RunRequest
{
    public string? Key { get; init; }
}

public sealed record LogBatchRequest : RunRequest
{
    public List<Metric>? Metrics { get; init; }
    public List<Param>? Params { get; init; }
    public List<RunTag>? Tags { get; init; }
}

public sealed record LogInputsRequest : RunRequest
{
    public List<DatasetInput>? Datasets { get; init; }
}

public sealed record GetMetricHistoryResponse
{
    public List<Metric> Metrics { get; init; } = [];
    public string? NextPageToken { get; init; }
}

public sealed record GetMetricHistoryBulkIntervalResponse
{
    public List<MetricWithRunId> Metrics { get; init; } = [];
}

public sealed record ListArtifactsResponse
{
    public string? RootUri { get; init; }
    public List<FileInfo> Files { get; init; } = [];
    public string? NextPageToken { get; init; }
}

/// <summary>Answer of the proxied artifact service's listing, <c>GET /api/2.0/mlflow-artifacts/artifacts?path=</c>.</summary>
public sealed record ListProxiedArtifactsResponse
{
    public List<FileInfo> Files { get; init; } = [];
}
