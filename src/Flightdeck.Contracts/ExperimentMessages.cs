namespace Flightdeck.Contracts;

// Requests and responses of the experiments endpoints under /api/2.0/mlflow/experiments/.
// Request fields are nullable: the server names a missing required field in its 400 answer.

public sealed record CreateExperimentRequest
{
    public string? Name { get; init; }
    public string? ArtifactLocation { get; init; }
    public List<ExperimentTag>? Tags { get; init; }
}

public sealed record CreateExperimentResponse(string ExperimentId);

public sealed record SearchExperimentsRequest
{
    public long? MaxResults { get; init; }
    public string? PageToken { get; init; }
    public string? Filter { get; init; }
    public List<string>? OrderBy { get; init; }
    public ViewType? ViewType { get; init; }
}

public sealed record SearchExperimentsResponse
{
    public List<Experiment> Experiments { get; init; } = [];
    public string? NextPageToken { get; init; }
}

/// <summary>Answer of the legacy <c>GET /experiments/list</c> (removed in MLflow 2.0, still used by old clients).</summary>
public sealed record ListExperimentsResponse
{
    public List<Experiment> Experiments { get; init; } = [];
}

public sealed record GetExperimentResponse(Experiment Experiment);

public sealed record ExperimentIdRequest
{
    public string? ExperimentId { get; init; }
}

public sealed record UpdateExperimentRequest
{
    public string? ExperimentId { get; init; }
    public string? NewName { get; init; }
}

public sealed record SetExperimentTagRequest
{
    public string? ExperimentId { get; init; }
    public string? Key { get; init; }
    public string? Value { get; init; }
}

public sealed record DeleteExperimentTagRequest
{
    public string? ExperimentId { get; init; }
    public string? Key { get; init; }
}

/// <summary>The <c>{}</c> that MLflow answers when a call has nothing to return.</summary>
public sealed record EmptyResponse
{
    public static readonly EmptyResponse Instance = new();
}
