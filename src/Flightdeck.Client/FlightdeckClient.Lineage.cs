using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Flightdeck.Client.Http;
using Flightdeck.Contracts;

namespace Flightdeck.Client;

/// <summary>Which way a lineage walk goes from its root node.</summary>
public enum LineageDirection
{
    /// <summary>Upstream and downstream: where the node's data came from and what was made from it.</summary>
    Both,

    /// <summary>Where the node's data came from (datasets, runs, jobs that fed it).</summary>
    Upstream,

    /// <summary>What was made from the node (runs that read it, models registered from them).</summary>
    Downstream,
}

public sealed partial class FlightdeckClient
{
    private static LineageJsonContext LineageJson => LineageJsonContext.Default;

    /// <summary>
    /// GET /api/flightdeck/v1/datasets: one page of datasets, narrowed by experiments, exact name, a case-insensitive
    /// name fragment and owner. Schema and profile are left out of the list; <see cref="GetDatasetAsync"/> has them.
    /// </summary>
    public Task<ListDatasetsResponse> ListDatasetsAsync(
        IEnumerable<string>? experimentIds = null, string? name = null, string? nameContains = null, string? owner = null,
        int? maxResults = null, string? pageToken = null, CancellationToken cancellationToken = default) =>
        GetAsync("datasets", new QueryString()
                .AddEach("experiment_id", experimentIds).Add("name", name).Add("name_contains", nameContains).Add("owner", owner)
                .Add("max_results", maxResults).Add("page_token", pageToken),
            LineageJson.ListDatasetsResponse, cancellationToken, FlightdeckApi);

    /// <summary>GET /api/flightdeck/v1/datasets/{id}: a dataset with its schema, profile and the runs that used it.</summary>
    public Task<GetDatasetResponse> GetDatasetAsync(string datasetId, CancellationToken cancellationToken = default) =>
        GetAsync("datasets/" + Uri.EscapeDataString(datasetId), new QueryString(), LineageJson.GetDatasetResponse, cancellationToken, FlightdeckApi);

    /// <summary>PUT /api/flightdeck/v1/datasets/{id}/owner; a null or empty owner clears it.</summary>
    public async Task<DatasetRecord> SetDatasetOwnerAsync(string datasetId, string? owner, CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new SetDatasetOwnerRequest { Owner = owner }, LineageJson.SetDatasetOwnerRequest);
        return await SendForJsonAsync(HttpMethod.Put, FlightdeckApi + "datasets/" + Uri.EscapeDataString(datasetId) + "/owner", body,
            LineageJson.DatasetRecord, cancellationToken);
    }

    /// <summary>
    /// GET /api/flightdeck/v1/lineage: the lineage graph around <paramref name="node"/> (<c>dataset:&lt;uuid&gt;</c>,
    /// <c>run:&lt;run_id&gt;</c>, <c>model:&lt;name&gt;/&lt;version&gt;</c>, <c>job:&lt;namespace&gt;/&lt;name&gt;</c> or
    /// <c>olds:&lt;namespace&gt;/&lt;name&gt;</c>), up to <paramref name="depth"/> hops (server default 5, at most 10).
    /// </summary>
    public Task<LineageGraphResponse> GetLineageAsync(
        string node, LineageDirection direction = LineageDirection.Both, int? depth = null, CancellationToken cancellationToken = default) =>
        GetAsync("lineage", new QueryString().Add("node", node).Add("direction", direction.ToString().ToLowerInvariant()).Add("depth", depth),
            LineageJson.LineageGraphResponse, cancellationToken, FlightdeckApi);

    /// <summary>
    /// POST /api/v1/lineage: records an OpenLineage RunEvent, as Marquez does (an Airflow, Spark or dbt job's run and the
    /// datasets it read and wrote). Flightdeck links its datasets to the job's by source URI.
    /// </summary>
    public async Task PostOpenLineageEventAsync(OpenLineageRunEvent runEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        var body = JsonSerializer.SerializeToUtf8Bytes(runEvent, OpenLineageJsonContext.Default.OpenLineageRunEvent);
        using var response = await SendRawAsync(HttpMethod.Post, "api/v1/lineage", body, cancellationToken);
    }

    private async Task<T> SendForJsonAsync<T>(HttpMethod method, string relativeUri, byte[] body, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, relativeUri, body, cancellationToken);
        try
        {
            return JsonSerializer.Deserialize(await response.Content.ReadAsByteArrayAsync(cancellationToken), type)
                ?? throw new FlightdeckApiException($"{method} {relativeUri} answered 'null' instead of a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new FlightdeckApiException($"{method} {relativeUri} answered a body that is not the expected JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Sends a JSON body and returns the successful answer (its body read); a failure throws the typed error.</summary>
    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string relativeUri, byte[] body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var request = new HttpRequestMessage(method, relativeUri) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ErrorAnswer.ReadAsync(response, timeout.Token);
            }
        }

        return response;
    }
}
