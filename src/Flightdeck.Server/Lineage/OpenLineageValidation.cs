using System.Globalization;
using Flightdeck.Contracts;

namespace Flightdeck.Server.Lineage;

/// <summary>
/// Checks a RunEvent against what OpenLineage 2-0-2 requires (eventTime, producer, schemaURL, run.runId as a UUID,
/// job.namespace and job.name, namespace and name of every dataset) and the lengths Flightdeck stores.
/// </summary>
internal static class OpenLineageValidation
{
    public const int MaxNamespaceLength = 500;
    public const int MaxNameLength = 1000;
    public const int MaxUriLength = 2000;
    public const int MaxDatasetsPerEvent = 1000;

    /// <summary>A checked event: what the store needs, parsed.</summary>
    public sealed record ValidEvent(
        OpenLineageRunEvent Event, string RunId, string? EventType, long EventTimeMs, string JobNamespace, string JobName,
        IReadOnlyList<OpenLineageDataset> Inputs, IReadOnlyList<OpenLineageDataset> Outputs);

    public static ValidEvent Validate(OpenLineageRunEvent e)
    {
        var eventTime = Required(e.EventTime, "eventTime");
        if (!DateTimeOffset.TryParse(eventTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            throw Invalid("eventTime", $"'{Shorten(eventTime)}' is not an ISO 8601 date-time");
        }

        RequireUri(e.Producer, "producer");
        RequireUri(e.SchemaUrl, "schemaURL");
        if (e.EventType is { } type && !OpenLineageEventType.All.Contains(type, StringComparer.Ordinal))
        {
            throw Invalid("eventType", $"'{Shorten(type)}' is not one of {string.Join(", ", OpenLineageEventType.All)}");
        }

        var run = e.Run ?? throw Missing("run");
        var runIdText = Required(run.RunId, "run.runId");
        if (!Guid.TryParse(runIdText, out var runId))
        {
            throw Invalid("run.runId", $"'{Shorten(runIdText)}' is not a UUID");
        }

        Facets(run.Facets, "run.facets");
        var job = e.Job ?? throw Missing("job");
        Facets(job.Facets, "job.facets");
        var jobNamespace = Limit(Required(job.Namespace, "job.namespace"), MaxNamespaceLength, "job.namespace");
        var jobName = Limit(Required(job.Name, "job.name"), MaxNameLength, "job.name");
        var inputs = Datasets(e.Inputs, "inputs");
        var outputs = Datasets(e.Outputs, "outputs");
        return new ValidEvent(e, runId.ToString(), e.EventType, time.ToUnixTimeMilliseconds(), jobNamespace, jobName, inputs, outputs);
    }

    private static List<OpenLineageDataset> Datasets(List<OpenLineageDataset>? datasets, string field)
    {
        if (datasets is null)
        {
            return [];
        }

        if (datasets.Count > MaxDatasetsPerEvent)
        {
            throw Invalid(field, $"{datasets.Count} datasets exceed the limit of {MaxDatasetsPerEvent}");
        }

        for (var i = 0; i < datasets.Count; i++)
        {
            var dataset = datasets[i] ?? throw Missing($"{field}[{i}]");
            Limit(Required(dataset.Namespace, $"{field}[{i}].namespace"), MaxNamespaceLength, $"{field}[{i}].namespace");
            Limit(Required(dataset.Name, $"{field}[{i}].name"), MaxNameLength, $"{field}[{i}].name");
            Facets(dataset.Facets, $"{field}[{i}].facets");
            Facets(dataset.InputFacets, $"{field}[{i}].inputFacets");
            Facets(dataset.OutputFacets, $"{field}[{i}].outputFacets");
        }

        return datasets;
    }

    /// <summary>Facets are a JSON object of named facets (or absent).</summary>
    private static void Facets(System.Text.Json.JsonElement? facets, string field)
    {
        if (facets is { } value && value.ValueKind is not (System.Text.Json.JsonValueKind.Object or System.Text.Json.JsonValueKind.Null))
        {
            throw Invalid(field, "facets must be a JSON object");
        }
    }

    private static void RequireUri(string? value, string field)
    {
        var text = Limit(Required(value, field), MaxUriLength, field);
        if (!Uri.TryCreate(text, UriKind.Absolute, out _))
        {
            throw Invalid(field, $"'{Shorten(text)}' is not an absolute URI");
        }
    }

    private static string Required(string? value, string field) => string.IsNullOrWhiteSpace(value) ? throw Missing(field) : value;

    private static string Limit(string value, int max, string field) =>
        value.Length > max ? throw Invalid(field, $"length {value.Length} exceeds the limit of {max} characters") : value;

    private static FlightdeckException Missing(string field) =>
        FlightdeckException.InvalidParameter($"Invalid OpenLineage RunEvent: missing required field '{field}'.");

    private static FlightdeckException Invalid(string field, string why) =>
        FlightdeckException.InvalidParameter($"Invalid OpenLineage RunEvent: field '{field}': {why}.");

    private static string Shorten(string value) => Tracking.Validation.Shorten(value);
}
