using System.Globalization;
using Flightdeck.Contracts;

namespace Flightdeck.Server.Lineage;

// Rows the lineage queries read, each able to describe itself as a graph node. Column names are the tables' own.
#pragma warning disable IDE1006 // Dapper maps snake_case columns onto these names.

internal sealed class DatasetNodeRow
{
    public const string Columns = "d.dataset_uuid, d.experiment_id, d.name, d.digest, d.source_type, d.source_uri, d.owner";

    public string dataset_uuid { get; set; } = "";
    public long experiment_id { get; set; }
    public string name { get; set; } = "";
    public string digest { get; set; } = "";
    public string source_type { get; set; } = "";
    public string? source_uri { get; set; }
    public string? owner { get; set; }

    public LineageNode ToNode(int distance) => LineageNodes.Make(LineageNodeId.Dataset(dataset_uuid), $"{name} ({digest})", distance,
        ("experiment_id", experiment_id.ToString(CultureInfo.InvariantCulture)), ("name", name), ("digest", digest),
        ("source_type", source_type), ("source_uri", source_uri), ("owner", owner));
}

internal sealed class RunNodeRow
{
    public const string Columns = "r.run_uuid, r.name, r.experiment_id, r.status, r.lifecycle_stage, r.start_time, r.end_time";

    public string run_uuid { get; set; } = "";
    public string name { get; set; } = "";
    public long experiment_id { get; set; }
    public string status { get; set; } = "";
    public string lifecycle_stage { get; set; } = "";
    public long start_time { get; set; }
    public long? end_time { get; set; }

    public LineageNode ToNode(int distance) => LineageNodes.Make(LineageNodeId.Run(run_uuid), name, distance,
        ("experiment_id", experiment_id.ToString(CultureInfo.InvariantCulture)), ("name", name), ("status", status),
        ("lifecycle_stage", lifecycle_stage), ("start_time", start_time.ToString(CultureInfo.InvariantCulture)),
        ("end_time", end_time?.ToString(CultureInfo.InvariantCulture)));
}

internal sealed class ModelNodeRow
{
    public const string Columns = "m.name, m.version, m.current_stage, m.status, m.run_id, m.source";

    public string name { get; set; } = "";
    public int version { get; set; }
    public string current_stage { get; set; } = "";
    public string status { get; set; } = "";
    public string? run_id { get; set; }
    public string source { get; set; } = "";

    public LineageNode ToNode(int distance) => LineageNodes.Make(LineageNodeId.Model(name, version), $"{name} v{version}", distance,
        ("name", name), ("version", version.ToString(CultureInfo.InvariantCulture)), ("stage", current_stage), ("status", status),
        ("run_id", run_id), ("source", source));
}

internal sealed class OpenLineageDatasetNodeRow
{
    public const string Columns = "o.namespace, o.name, o.uri";

    public string @namespace { get; set; } = "";
    public string name { get; set; } = "";
    public string uri { get; set; } = "";

    public LineageNode ToNode(int distance) => LineageNodes.Make(LineageNodeId.OpenLineageDataset(@namespace, name), uri, distance,
        ("namespace", @namespace), ("name", name), ("uri", uri));
}

internal sealed class JobNodeRow
{
    // The job's latest run by state time, and how many runs it has had.
    public const string Columns =
        """
        j.namespace, j.name,
        (SELECT COUNT(*) FROM openlineage_runs c WHERE c.job_namespace = j.namespace AND c.job_name = j.name) AS run_count,
        lr.run_id AS latest_run_id, lr.state AS latest_state, lr.state_time AS latest_state_time
        """;

    public const string From =
        """
        openlineage_jobs j
        LEFT JOIN openlineage_runs lr ON lr.run_id = (
            SELECT l.run_id FROM openlineage_runs l WHERE l.job_namespace = j.namespace AND l.job_name = j.name
            ORDER BY l.state_time DESC, l.run_id LIMIT 1)
        """;

    public string @namespace { get; set; } = "";
    public string name { get; set; } = "";
    public long run_count { get; set; }
    public string? latest_run_id { get; set; }
    public string? latest_state { get; set; }
    public long? latest_state_time { get; set; }

    public LineageNode ToNode(int distance) => LineageNodes.Make(LineageNodeId.Job(@namespace, name), $"{@namespace}/{name}", distance,
        ("namespace", @namespace), ("name", name), ("run_count", run_count.ToString(CultureInfo.InvariantCulture)),
        ("latest_run_id", latest_run_id), ("latest_state", latest_state),
        ("latest_state_time", latest_state_time?.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>A managed serving endpoint that some model version was deployed to (it may be deleted since).</summary>
internal sealed class EndpointNodeRow
{
    public const string Columns = "v.endpoint_name, e.state, MIN(v.first_time) AS first_time";
    public const string From = "endpoint_versions v LEFT JOIN endpoints e ON e.name = v.endpoint_name";
    public const string GroupBy = "GROUP BY v.endpoint_name, e.state";

    public string endpoint_name { get; set; } = "";
    public string? state { get; set; }
    public long first_time { get; set; }

    public LineageNode ToNode(int distance) => LineageNodes.Make(LineageNodeId.Endpoint(endpoint_name), endpoint_name, distance,
        ("name", endpoint_name), ("state", state ?? "DELETED"), ("first_deployed", first_time.ToString(CultureInfo.InvariantCulture)));
}

internal static class LineageNodes
{
    public static LineageNode Make(LineageNodeId id, string label, int distance, params (string Key, string? Value)[] attributes) => new()
    {
        Id = id.ToString(),
        Kind = id.Kind,
        Label = label,
        Distance = distance,
        Attributes = attributes.Where(a => a.Value is not null).ToDictionary(a => a.Key, a => a.Value!, StringComparer.Ordinal),
    };
}
