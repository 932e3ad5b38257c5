using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flightdeck.Contracts;

namespace Flightdeck.Server.Lineage;

/// <summary>
/// The OpenLineage RunEvents Flightdeck emits for its own runs. The job is the run's experiment (namespace from the
/// server options), the run id is the run's UUID, inputs are its logged datasets (named by their source location, see
/// <see cref="DatasetSourceUri"/>) and outputs are the model versions registered from it, as <c>models/{name}/{version}</c>.
/// </summary>
internal static class FlightdeckRunEvents
{
    /// <summary>Who produced the events (OpenLineage's <c>producer</c> and facets' <c>_producer</c>).</summary>
    public const string Producer = "https://github.com/flightdeck/flightdeck/tree/main/src/Flightdeck.Server";

    public const string RunEventSchema = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
    private const string SchemaFacetSchema = "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet";
    private const string VersionFacetSchema = "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet";
    private const string RunFacetSchema = Producer + "/Lineage/FlightdeckRunFacet.json";

    public sealed record RunFacts(string RunId, string RunName, long ExperimentId, string ExperimentName, string UserId, string Status, long StartTime);

    public sealed record DatasetFacts(long ExperimentId, string Name, string Digest, string? SourceUri, string? Schema);

    public sealed record ModelFacts(string Name, int Version);

    /// <summary>The terminal event type for a run status, or null while the run is not finished.</summary>
    public static string? TerminalEventType(string status) => status switch
    {
        "FINISHED" => OpenLineageEventType.Complete,
        "FAILED" => OpenLineageEventType.Fail,
        "KILLED" => OpenLineageEventType.Abort,
        _ => null,
    };

    /// <summary>Flightdeck run ids are UUIDs written without dashes; OpenLineage wants the usual form.</summary>
    public static string OpenLineageRunId(string runId) =>
        Guid.TryParseExact(runId, "N", out var uuid) ? uuid.ToString() : runId;

    public static OpenLineageRunEvent Build(
        string eventType, long eventTimeMs, RunFacts run, IReadOnlyList<DatasetFacts> inputs, IReadOnlyList<ModelFacts> outputs, string @namespace) => new()
    {
        EventType = eventType,
        EventTime = DateTimeOffset.FromUnixTimeMilliseconds(eventTimeMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        Run = new OpenLineageRun
        {
            RunId = OpenLineageRunId(run.RunId),
            Facets = Element(new JsonObject
            {
                ["flightdeck_run"] = Facet(RunFacetSchema, new JsonObject
                {
                    ["runId"] = run.RunId,
                    ["runName"] = run.RunName,
                    ["experimentId"] = run.ExperimentId.ToString(CultureInfo.InvariantCulture),
                    ["userId"] = run.UserId,
                    ["status"] = run.Status,
                }),
            }),
        },
        Job = new OpenLineageJob { Namespace = @namespace, Name = run.ExperimentName },
        Inputs = [.. inputs.Select(d => Input(d, @namespace))],
        Outputs = [.. outputs.Select(m => new OpenLineageDataset { Namespace = @namespace, Name = $"models/{m.Name}/{m.Version}" })],
        Producer = Producer,
        SchemaUrl = RunEventSchema,
    };

    private static OpenLineageDataset Input(DatasetFacts dataset, string @namespace)
    {
        var (ns, name) = DatasetSourceUri.ToOpenLineage(dataset.SourceUri)
            ?? (@namespace, $"datasets/{dataset.ExperimentId.ToString(CultureInfo.InvariantCulture)}/{dataset.Name}/{dataset.Digest}");
        var facets = new JsonObject { ["version"] = Facet(VersionFacetSchema, new JsonObject { ["datasetVersion"] = dataset.Digest }) };
        if (SchemaFields(dataset.Schema) is { } fields)
        {
            facets["schema"] = Facet(SchemaFacetSchema, new JsonObject { ["fields"] = fields });
        }

        return new OpenLineageDataset { Namespace = ns, Name = name, Facets = Element(facets) };
    }

    /// <summary>MLflow's column-spec schema (<c>{"mlflow_colspec": [{"name", "type"}]}</c>) as OpenLineage schema fields.</summary>
    private static JsonArray? SchemaFields(string? schema)
    {
        if (string.IsNullOrEmpty(schema))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(schema);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("mlflow_colspec", out var columns) || columns.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var fields = new JsonArray();
            foreach (var column in columns.EnumerateArray())
            {
                if (column.ValueKind == JsonValueKind.Object && column.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                {
                    var type = column.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                    fields.Add(new JsonObject { ["name"] = name.GetString(), ["type"] = type });
                }
            }

            return fields;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonObject Facet(string schemaUrl, JsonObject body)
    {
        var facet = new JsonObject { ["_producer"] = Producer, ["_schemaURL"] = schemaUrl };
        foreach (var (key, value) in body.ToList())
        {
            body.Remove(key);
            facet[key] = value;
        }

        return facet;
    }

    private static JsonElement Element(JsonObject value)
    {
        using var document = JsonDocument.Parse(value.ToJsonString());
        return document.RootElement.Clone();
    }
}
