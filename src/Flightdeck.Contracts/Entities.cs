namespace Flightdeck.Contracts;

// The entities of MLflow's tracking protocol (mlflow/protos/service.proto), with its JSON field names
// produced by the snake_case policy in FlightdeckJson.

public sealed record Experiment
{
    public string ExperimentId { get; init; } = "";
    public string Name { get; init; } = "";
    public string? ArtifactLocation { get; init; }
    public string LifecycleStage { get; init; } = Contracts.LifecycleStage.Active;
    public long? LastUpdateTime { get; init; }
    public long? CreationTime { get; init; }
    public List<ExperimentTag> Tags { get; init; } = [];
}

public sealed record ExperimentTag(string Key, string Value);

public static class LifecycleStage
{
    public const string Active = "active";
    public const string Deleted = "deleted";
}

public sealed record Run
{
    public RunInfo Info { get; init; } = new();
    public RunData Data { get; init; } = new();
    public RunInputs Inputs { get; init; } = new();
}

public sealed record RunInfo
{
    public string RunId { get; init; } = "";

    /// <summary>Deprecated alias of <see cref="RunId"/> that MLflow still sends.</summary>
    public string RunUuid { get; init; } = "";
    public string RunName { get; init; } = "";
    public string ExperimentId { get; init; } = "";
    public string UserId { get; init; } = "";
    public RunStatus Status { get; init; } = RunStatus.Running;
    public long StartTime { get; init; }
    public long? EndTime { get; init; }
    public string ArtifactUri { get; init; } = "";
    public string LifecycleStage { get; init; } = Contracts.LifecycleStage.Active;
}

public sealed record RunData
{
    /// <summary>The latest value of each metric: the maximum by (step, timestamp, value).</summary>
    public List<Metric> Metrics { get; init; } = [];
    public List<Param> Params { get; init; } = [];
    public List<RunTag> Tags { get; init; } = [];
}

public sealed record Metric
{
    public string? Key { get; init; }

    /// <summary>The value; NaN and ±Infinity travel as the strings "NaN", "Infinity" and "-Infinity".</summary>
    public double? Value { get; init; }

    /// <summary>Milliseconds since the Unix epoch.</summary>
    public long? Timestamp { get; init; }
    public long? Step { get; init; }
}

/// <summary>A metric point of <c>get-history-bulk-interval</c>, which names the run it belongs to.</summary>
public sealed record MetricWithRunId
{
    public string Key { get; init; } = "";
    public double Value { get; init; }
    public long Timestamp { get; init; }
    public long Step { get; init; }
    public string RunId { get; init; } = "";
}

public sealed record Param(string? Key, string? Value);

public sealed record RunTag(string? Key, string? Value);

public sealed record RunInputs
{
    public List<DatasetInput> DatasetInputs { get; init; } = [];
}

public sealed record DatasetInput
{
    public List<InputTag>? Tags { get; init; }
    public Dataset? Dataset { get; init; }
}

public sealed record InputTag(string? Key, string? Value);

/// <summary>A dataset a run used: name and digest identify it; schema and profile are free-form JSON text.</summary>
public sealed record Dataset
{
    public string? Name { get; init; }
    public string? Digest { get; init; }
    public string? SourceType { get; init; }
    public string? Source { get; init; }
    public string? Schema { get; init; }
    public string? Profile { get; init; }
}

public sealed record FileInfo
{
    public string Path { get; init; } = "";
    public bool IsDir { get; init; }
    public long? FileSize { get; init; }
}

/// <summary>Run status, written by name and read by name or by MLflow's enum number.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(RunStatusConverter))]
public enum RunStatus
{
    Running = 1,
    Scheduled = 2,
    Finished = 3,
    Failed = 4,
    Killed = 5,
}

/// <summary>Which runs or experiments a search sees, by lifecycle stage.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(ViewTypeConverter))]
public enum ViewType
{
    ActiveOnly = 1,
    DeletedOnly = 2,
    All = 3,
}
