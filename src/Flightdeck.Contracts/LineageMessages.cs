using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flightdeck.Contracts;

// Flightdeck's dataset and lineage API (/api/flightdeck/v1/datasets, /api/flightdeck/v1/lineage) in snake_case,
// and OpenLineage RunEvents (POST /api/v1/lineage, Marquez compatible) in OpenLineage's own camelCase.

/// <summary>A dataset as a first-class record: what MLflow logs as a run input, plus its owner.</summary>
public sealed record DatasetRecord
{
    public string DatasetId { get; init; } = "";
    public string ExperimentId { get; init; } = "";
    public string Name { get; init; } = "";
    public string Digest { get; init; } = "";
    public string SourceType { get; init; } = "";
    public string Source { get; init; } = "";

    /// <summary>The location the source names (its uri, url or path), used to match OpenLineage datasets.</summary>
    public string? SourceUri { get; init; }
    public string? Schema { get; init; }
    public string? Profile { get; init; }
    public string? Owner { get; init; }

    /// <summary>How many runs logged this dataset as an input.</summary>
    public int RunCount { get; init; }
}

/// <summary>A run that used a dataset, with the input tags it logged it with (e.g. <c>mlflow.data.context</c>).</summary>
public sealed record DatasetRunUsage
{
    public string RunId { get; init; } = "";
    public string RunName { get; init; } = "";
    public string ExperimentId { get; init; } = "";
    public string Status { get; init; } = "";
    public long StartTime { get; init; }
    public long? EndTime { get; init; }
    public string LifecycleStage { get; init; } = "";
    public List<InputTag> Tags { get; init; } = [];
}

/// <summary>Answer of <c>GET /api/flightdeck/v1/datasets</c>.</summary>
public sealed record ListDatasetsResponse
{
    public List<DatasetRecord> Datasets { get; init; } = [];
    public string? NextPageToken { get; init; }
}

/// <summary>Answer of <c>GET /api/flightdeck/v1/datasets/{id}</c>: the dataset and the runs that used it, newest first.</summary>
public sealed record GetDatasetResponse
{
    public DatasetRecord Dataset { get; init; } = new();
    public List<DatasetRunUsage> Runs { get; init; } = [];
}

/// <summary>Body of <c>PUT /api/flightdeck/v1/datasets/{id}/owner</c>; an empty or null owner clears it.</summary>
public sealed record SetDatasetOwnerRequest
{
    public string? Owner { get; init; }
}

/// <summary>A node of the lineage graph. <see cref="Kind"/> is open: dataset, run, model, job, olds, and more later.</summary>
public sealed record LineageNode
{
    /// <summary><c>kind:key</c>, e.g. <c>dataset:&lt;uuid&gt;</c>, <c>run:&lt;run_id&gt;</c>, <c>model:&lt;name&gt;/&lt;version&gt;</c>.</summary>
    public string Id { get; init; } = "";
    public string Kind { get; init; } = "";

    /// <summary>A short human-readable name.</summary>
    public string Label { get; init; } = "";

    /// <summary>Hops from the root node (0 for the root).</summary>
    public int Distance { get; init; }
    public Dictionary<string, string> Attributes { get; init; } = [];
}

/// <summary>A directed edge, in the direction data flows: from upstream <see cref="Source"/> to downstream <see cref="Target"/>.</summary>
public sealed record LineageEdge(string Source, string Target, string Kind);

/// <summary>Answer of <c>GET /api/flightdeck/v1/lineage</c>.</summary>
public sealed record LineageGraphResponse
{
    public string Root { get; init; } = "";
    public string Direction { get; init; } = "";
    public int Depth { get; init; }
    public List<LineageNode> Nodes { get; init; } = [];
    public List<LineageEdge> Edges { get; init; } = [];

    /// <summary>True when the walk stopped at the node limit before reaching the depth.</summary>
    public bool Truncated { get; init; }
}

/// <summary>Node kinds of the lineage graph.</summary>
public static class LineageNodeKind
{
    public const string Dataset = "dataset";
    public const string Run = "run";
    public const string Model = "model";
    public const string Job = "job";
    public const string OpenLineageDataset = "olds";
    public const string Endpoint = "endpoint";
}

/// <summary>Edge kinds of the lineage graph.</summary>
public static class LineageEdgeKind
{
    /// <summary>A dataset read by a run or job.</summary>
    public const string Input = "input";

    /// <summary>A dataset written by a job.</summary>
    public const string Output = "output";

    /// <summary>A model version registered from a run.</summary>
    public const string Produced = "produced";

    /// <summary>A model version served by a managed endpoint (at any time in its history).</summary>
    public const string Deployed = "deployed";

    /// <summary>An OpenLineage dataset that is the same data as a Flightdeck dataset (same source URI).</summary>
    public const string SameAs = "same_as";
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(ListDatasetsResponse))]
[JsonSerializable(typeof(GetDatasetResponse))]
[JsonSerializable(typeof(SetDatasetOwnerRequest))]
[JsonSerializable(typeof(DatasetRecord))]
[JsonSerializable(typeof(LineageGraphResponse))]
public sealed partial class LineageJsonContext : JsonSerializerContext;

/// <summary>
/// An OpenLineage RunEvent (https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent). Fields are nullable so
/// the server can name what is missing; facets are JSON objects kept as they arrived.
/// </summary>
public sealed record OpenLineageRunEvent
{
    public string? EventType { get; init; }
    public string? EventTime { get; init; }
    public OpenLineageRun? Run { get; init; }
    public OpenLineageJob? Job { get; init; }
    public List<OpenLineageDataset>? Inputs { get; init; }
    public List<OpenLineageDataset>? Outputs { get; init; }
    public string? Producer { get; init; }

    [JsonPropertyName("schemaURL")]
    public string? SchemaUrl { get; init; }
}

public sealed record OpenLineageRun
{
    public string? RunId { get; init; }
    public JsonElement? Facets { get; init; }
}

public sealed record OpenLineageJob
{
    public string? Namespace { get; init; }
    public string? Name { get; init; }
    public JsonElement? Facets { get; init; }
}

/// <summary>An input or output dataset of a RunEvent.</summary>
public sealed record OpenLineageDataset
{
    public string? Namespace { get; init; }
    public string? Name { get; init; }
    public JsonElement? Facets { get; init; }
    public JsonElement? InputFacets { get; init; }
    public JsonElement? OutputFacets { get; init; }
}

/// <summary>OpenLineage run states (<c>eventType</c>).</summary>
public static class OpenLineageEventType
{
    public const string Start = "START";
    public const string Running = "RUNNING";
    public const string Complete = "COMPLETE";
    public const string Abort = "ABORT";
    public const string Fail = "FAIL";
    public const string Other = "OTHER";

    public static readonly string[] All = [Start, Running, Complete, Abort, Fail, Other];

    public static bool IsTerminal(string? eventType) => eventType is Complete or Abort or Fail;
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(NulFreeStringConverter)])]
[JsonSerializable(typeof(OpenLineageRunEvent))]
public sealed partial class OpenLineageJsonContext : JsonSerializerContext;
