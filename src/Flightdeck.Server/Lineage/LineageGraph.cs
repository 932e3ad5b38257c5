using System.Data.Common;
using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;

namespace Flightdeck.Server.Lineage;

/// <summary>Which way a lineage walk goes from its root; <see cref="Both"/> is the union of the two walks.</summary>
[Flags]
internal enum LineageDirection
{
    Upstream = 1,
    Downstream = 2,
    Both = Upstream | Downstream,
}

/// <summary>
/// Walks the lineage graph breadth-first from a node, level by level up to a depth. Edges point the way data flows:
/// OpenLineage dataset → job (input), job → OpenLineage dataset (output), OpenLineage dataset → Flightdeck dataset
/// (same source URI), dataset → run (logged input), run → model version (registered from it), model version → endpoint
/// (served by it at some point of its history).
/// </summary>
internal sealed class LineageGraph(Database database)
{
    public const int DefaultDepth = 5;
    public const int MaxDepth = 10;

    /// <summary>Beyond this many nodes the walk stops and says so (<see cref="LineageGraphResponse.Truncated"/>).</summary>
    public const int MaxNodes = 1000;

    private readonly record struct Step(LineageNode Node, LineageEdge Edge);

    public async Task<LineageGraphResponse> WalkAsync(LineageNodeId root, LineageDirection direction, int depth, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rootNode = await DescribeAsync(connection, root, ct)
            ?? throw FlightdeckException.NotFound($"Lineage node '{Tracking.Validation.Shorten(root.ToString())}' not found.");
        var nodes = new Dictionary<string, LineageNode>(StringComparer.Ordinal) { [rootNode.Id] = rootNode };
        var ids = new Dictionary<string, LineageNodeId>(StringComparer.Ordinal) { [rootNode.Id] = root };
        var edges = new List<LineageEdge>();
        var seenEdges = new HashSet<LineageEdge>();
        var truncated = false;
        foreach (var way in new[] { LineageDirection.Upstream, LineageDirection.Downstream }.Where(w => direction.HasFlag(w)))
        {
            var visited = new HashSet<string>(StringComparer.Ordinal) { rootNode.Id };
            var frontier = new List<LineageNodeId> { root };
            for (var distance = 1; distance <= depth && frontier.Count > 0; distance++)
            {
                var next = new List<LineageNodeId>();
                foreach (var node in frontier)
                {
                    foreach (var step in await NeighborsAsync(connection, node, way, distance, ct))
                    {
                        if (!nodes.ContainsKey(step.Node.Id))
                        {
                            if (nodes.Count >= MaxNodes)
                            {
                                truncated = true;
                                continue;
                            }

                            nodes[step.Node.Id] = step.Node;
                        }

                        if (seenEdges.Add(step.Edge))
                        {
                            edges.Add(step.Edge);
                        }

                        if (visited.Add(step.Node.Id))
                        {
                            ids.TryAdd(step.Node.Id, LineageNodeId.Parse(step.Node.Id));
                            next.Add(ids[step.Node.Id]);
                        }
                    }
                }

                frontier = next;
            }
        }

        return new LineageGraphResponse
        {
            Root = rootNode.Id,
            Direction = direction.ToString().ToLowerInvariant(),
            Depth = depth,
            Nodes = [.. nodes.Values.OrderBy(n => n.Distance).ThenBy(n => n.Kind, StringComparer.Ordinal).ThenBy(n => n.Id, StringComparer.Ordinal)],
            Edges = edges,
            Truncated = truncated,
        };
    }

    private static async Task<LineageNode?> DescribeAsync(DbConnection connection, LineageNodeId id, CancellationToken ct) => id.Kind switch
    {
        LineageNodeKind.Dataset => (await QueryAsync<DatasetNodeRow>(connection,
            $"SELECT {DatasetNodeRow.Columns} FROM datasets d WHERE d.dataset_uuid = @Key", id, ct)).FirstOrDefault()?.ToNode(0),
        LineageNodeKind.Run => (await QueryAsync<RunNodeRow>(connection,
            $"SELECT {RunNodeRow.Columns} FROM runs r WHERE r.run_uuid = @Key", id, ct)).FirstOrDefault()?.ToNode(0),
        LineageNodeKind.Model => (await QueryAsync<ModelNodeRow>(connection,
            $"SELECT {ModelNodeRow.Columns} FROM model_versions m WHERE m.name = @Name AND m.version = @Version", id, ct)).FirstOrDefault()?.ToNode(0),
        LineageNodeKind.Endpoint => (await QueryAsync<EndpointNodeRow>(connection,
            $"SELECT {EndpointNodeRow.Columns} FROM {EndpointNodeRow.From} WHERE v.endpoint_name = @Name {EndpointNodeRow.GroupBy}", id, ct))
            .FirstOrDefault()?.ToNode(0),
        LineageNodeKind.Job => (await QueryAsync<JobNodeRow>(connection,
            $"SELECT {JobNodeRow.Columns} FROM {JobNodeRow.From} WHERE j.namespace = @Namespace AND j.name = @Name", id, ct)).FirstOrDefault()?.ToNode(0),
        LineageNodeKind.OpenLineageDataset => (await QueryAsync<OpenLineageDatasetNodeRow>(connection,
            $"SELECT {OpenLineageDatasetNodeRow.Columns} FROM openlineage_datasets o WHERE o.namespace = @Namespace AND o.name = @Name", id, ct))
            .FirstOrDefault()?.ToNode(0),
        _ => null,
    };

    private static async Task<IReadOnlyList<Step>> NeighborsAsync(
        DbConnection connection, LineageNodeId id, LineageDirection way, int distance, CancellationToken ct)
    {
        var up = way == LineageDirection.Upstream;
        var self = id.ToString();
        switch (id.Kind, up)
        {
            case (LineageNodeKind.Dataset, true):
                return Steps(await QueryAsync<OpenLineageDatasetNodeRow>(connection,
                    $"""
                    SELECT {OpenLineageDatasetNodeRow.Columns} FROM datasets d JOIN openlineage_datasets o ON o.uri = d.source_uri
                    WHERE d.dataset_uuid = @Key ORDER BY o.namespace, o.name
                    """, id, ct), r => r.ToNode(distance), n => new LineageEdge(n.Id, self, LineageEdgeKind.SameAs));
            case (LineageNodeKind.Dataset, false):
                return Steps(await QueryAsync<RunNodeRow>(connection,
                    $"""
                    SELECT {RunNodeRow.Columns} FROM run_inputs i JOIN runs r ON r.run_uuid = i.run_uuid
                    WHERE i.dataset_uuid = @Key ORDER BY r.start_time, r.run_uuid
                    """, id, ct), r => r.ToNode(distance), n => new LineageEdge(self, n.Id, LineageEdgeKind.Input));
            case (LineageNodeKind.Run, true):
                return Steps(await QueryAsync<DatasetNodeRow>(connection,
                    $"""
                    SELECT {DatasetNodeRow.Columns} FROM run_inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid
                    WHERE i.run_uuid = @Key ORDER BY d.name, d.digest
                    """, id, ct), r => r.ToNode(distance), n => new LineageEdge(n.Id, self, LineageEdgeKind.Input));
            case (LineageNodeKind.Run, false):
                return Steps(await QueryAsync<ModelNodeRow>(connection,
                    $"SELECT {ModelNodeRow.Columns} FROM model_versions m WHERE m.run_id = @Key ORDER BY m.name, m.version", id, ct),
                    r => r.ToNode(distance), n => new LineageEdge(self, n.Id, LineageEdgeKind.Produced));
            case (LineageNodeKind.Model, true):
                return Steps(await QueryAsync<RunNodeRow>(connection,
                    $"""
                    SELECT {RunNodeRow.Columns} FROM model_versions m JOIN runs r ON r.run_uuid = m.run_id
                    WHERE m.name = @Name AND m.version = @Version
                    """, id, ct), r => r.ToNode(distance), n => new LineageEdge(n.Id, self, LineageEdgeKind.Produced));
            case (LineageNodeKind.Model, false):
                return Steps(await QueryAsync<EndpointNodeRow>(connection,
                    $"""
                    SELECT {EndpointNodeRow.Columns} FROM {EndpointNodeRow.From}
                    WHERE v.model_name = @Name AND v.version = @Version {EndpointNodeRow.GroupBy} ORDER BY v.endpoint_name
                    """, id, ct), r => r.ToNode(distance), n => new LineageEdge(self, n.Id, LineageEdgeKind.Deployed));
            case (LineageNodeKind.Endpoint, true):
                return Steps(await QueryAsync<ModelNodeRow>(connection,
                    $"""
                    SELECT {ModelNodeRow.Columns} FROM endpoint_versions v JOIN model_versions m ON m.name = v.model_name AND m.version = v.version
                    WHERE v.endpoint_name = @Name ORDER BY m.name, m.version
                    """, id, ct), r => r.ToNode(distance), n => new LineageEdge(n.Id, self, LineageEdgeKind.Deployed));
            case (LineageNodeKind.OpenLineageDataset, true):
                return Steps(await JobsAsync(connection, id, LineageEdgeKind.Output, ct), r => r.ToNode(distance),
                    n => new LineageEdge(n.Id, self, LineageEdgeKind.Output));
            case (LineageNodeKind.OpenLineageDataset, false):
                var readers = Steps(await JobsAsync(connection, id, LineageEdgeKind.Input, ct), r => r.ToNode(distance),
                    n => new LineageEdge(self, n.Id, LineageEdgeKind.Input));
                var same = Steps(await QueryAsync<DatasetNodeRow>(connection,
                    $"""
                    SELECT {DatasetNodeRow.Columns} FROM openlineage_datasets o JOIN datasets d ON d.source_uri = o.uri
                    WHERE o.namespace = @Namespace AND o.name = @Name ORDER BY d.experiment_id, d.name, d.digest
                    """, id, ct), r => r.ToNode(distance), n => new LineageEdge(self, n.Id, LineageEdgeKind.SameAs));
                return [.. readers, .. same];
            case (LineageNodeKind.Job, _):
                var direction = up ? LineageEdgeKind.Input : LineageEdgeKind.Output;
                return Steps(await QueryAsync<OpenLineageDatasetNodeRow>(connection,
                    $"""
                    SELECT {OpenLineageDatasetNodeRow.Columns} FROM openlineage_job_io io
                    JOIN openlineage_datasets o ON o.namespace = io.dataset_namespace AND o.name = io.dataset_name
                    WHERE io.job_namespace = @Namespace AND io.job_name = @Name AND io.direction = '{direction}'
                    ORDER BY o.namespace, o.name
                    """, id, ct), r => r.ToNode(distance),
                    n => up ? new LineageEdge(n.Id, self, direction) : new LineageEdge(self, n.Id, direction));
            default:
                return []; // Endpoints have nothing downstream.
        }
    }

    /// <summary>The jobs that read (<paramref name="direction"/> input) or wrote (output) an OpenLineage dataset.</summary>
    private static Task<List<JobNodeRow>> JobsAsync(DbConnection connection, LineageNodeId dataset, string direction, CancellationToken ct) =>
        QueryAsync<JobNodeRow>(connection,
            $"""
            SELECT {JobNodeRow.Columns} FROM {JobNodeRow.From}
            WHERE EXISTS (SELECT 1 FROM openlineage_job_io io WHERE io.job_namespace = j.namespace AND io.job_name = j.name
                AND io.dataset_namespace = @Namespace AND io.dataset_name = @Name AND io.direction = '{direction}')
            ORDER BY j.namespace, j.name
            """, dataset, ct);

    private static List<Step> Steps<TRow>(IEnumerable<TRow> rows, Func<TRow, LineageNode> node, Func<LineageNode, LineageEdge> edge) =>
        [.. rows.Select(node).Select(n => new Step(n, edge(n)))];

    private static async Task<List<TRow>> QueryAsync<TRow>(DbConnection connection, string sql, LineageNodeId id, CancellationToken ct) =>
        [.. await connection.QueryAsync<TRow>(new CommandDefinition(sql, new { id.Key, id.Namespace, id.Name, id.Version }, cancellationToken: ct))];
}
