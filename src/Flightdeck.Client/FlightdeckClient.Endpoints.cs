using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Flightdeck.Client.Http;
using Flightdeck.Contracts;

namespace Flightdeck.Client;

/// <summary>Per-call routing of an endpoint invocation.</summary>
public sealed record EndpointInvocationOptions
{
    /// <summary>Serve this version (it must be one of the endpoint's routes); sent as <see cref="EndpointHeaders.PinVersion"/>.</summary>
    public string? PinVersion { get; init; }

    /// <summary>Requests with the same key reach the same version while the weights stay; sent as <see cref="EndpointHeaders.RoutingKey"/>.</summary>
    public string? RoutingKey { get; init; }

    /// <summary>The body's media type: <c>application/json</c> (default) or <c>text/csv</c> for /invocations.</summary>
    public string ContentType { get; init; } = "application/json";
}

/// <summary>An endpoint's answer to one scoring request.</summary>
/// <param name="ServedVersion">The model version that answered (<see cref="EndpointHeaders.ServedVersion"/>); null if the server did not say.</param>
/// <param name="Body">The response body: MLflow's <c>{"predictions": …}</c> or an Open Inference v2 response.</param>
public sealed record EndpointInvocation(string? ServedVersion, JsonElement Body)
{
    /// <summary>The <c>predictions</c> of an MLflow scoring answer, or the <c>outputs</c> of an Open Inference v2 answer.</summary>
    public JsonElement Predictions => Body.ValueKind == JsonValueKind.Object && (Body.TryGetProperty("predictions", out var predictions)
        || Body.TryGetProperty("outputs", out predictions))
        ? predictions
        : Body;
}

// Managed serving endpoints: /api/flightdeck/v1/endpoints (create, read, update, delete, history, deploy, promote,
// rollback) and their scoring routes (/invocations with MLflow's body, /infer with Open Inference v2's).
public sealed partial class FlightdeckClient
{
    private const string EndpointsRoute = FlightdeckApi + "endpoints";

    private static EndpointJsonContext EndpointJson => EndpointJsonContext.Default;

    /// <summary>POST /endpoints: a new endpoint serving one version. A duplicate name throws <see cref="ResourceAlreadyExistsException"/>.</summary>
    public async Task<ServingEndpoint> CreateEndpointAsync(CreateEndpointRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, EndpointJson.CreateEndpointRequest);
        return (await SendForJsonAsync(HttpMethod.Post, EndpointsRoute, body, EndpointJson.EndpointResponse, cancellationToken)).Endpoint;
    }

    /// <summary>Creates an endpoint serving version <paramref name="version"/> of <paramref name="modelName"/>, or the version
    /// <paramref name="alias"/> points at now (give one of the two).</summary>
    public Task<ServingEndpoint> CreateEndpointAsync(
        string name, string modelName, string? version = null, string? alias = null, string? description = null, EndpointSettings? settings = null,
        CancellationToken cancellationToken = default) =>
        CreateEndpointAsync(new CreateEndpointRequest
        {
            Name = name,
            ModelName = modelName,
            Version = version,
            Alias = alias,
            Description = description,
            Settings = settings,
        }, cancellationToken);

    /// <summary>GET /endpoints/{name}: its routes, settings and latest rollout. An unknown name throws <see cref="ResourceNotFoundException"/>.</summary>
    public async Task<ServingEndpoint> GetEndpointAsync(string name, CancellationToken cancellationToken = default) =>
        (await GetAsync(EndpointPath(name), new QueryString(), EndpointJson.EndpointResponse, cancellationToken, prefix: "")).Endpoint;

    /// <summary>GET /endpoints: every endpoint.</summary>
    public async Task<List<ServingEndpoint>> ListEndpointsAsync(CancellationToken cancellationToken = default) =>
        (await GetAsync(EndpointsRoute, new QueryString(), EndpointJson.ListEndpointsResponse, cancellationToken, prefix: "")).Endpoints;

    /// <summary>PATCH /endpoints/{name}: changes only what the request gives (description, settings, or the routes by hand).</summary>
    public async Task<ServingEndpoint> UpdateEndpointAsync(string name, UpdateEndpointRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, EndpointJson.UpdateEndpointRequest);
        return (await SendForJsonAsync(HttpMethod.Patch, EndpointPath(name), body, EndpointJson.EndpointResponse, cancellationToken)).Endpoint;
    }

    /// <summary>DELETE /endpoints/{name}: stops serving and forgets the endpoint (its history stays in lineage).</summary>
    public async Task DeleteEndpointAsync(string name, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Delete, EndpointPath(name));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAnswer.ReadAsync(response, timeout.Token);
        }
    }

    /// <summary>GET /endpoints/{name}/history: one page of the endpoint's events, newest first.</summary>
    public Task<ListEndpointEventsResponse> GetEndpointHistoryAsync(
        string name, int? maxResults = null, string? pageToken = null, CancellationToken cancellationToken = default) =>
        GetAsync(EndpointPath(name) + "/history", new QueryString().Add("max_results", maxResults).Add("page_token", pageToken),
            EndpointJson.ListEndpointEventsResponse, cancellationToken, prefix: "");

    /// <summary>POST /endpoints/{name}/deploy: starts rolling a version out. A rollout already in progress throws a conflict.</summary>
    public async Task<ServingEndpoint> DeployAsync(string name, DeployRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, EndpointJson.DeployRequest);
        return (await SendForJsonAsync(HttpMethod.Post, EndpointPath(name) + "/deploy", body, EndpointJson.EndpointResponse, cancellationToken)).Endpoint;
    }

    /// <summary>POST /endpoints/{name}/promote: ends the rollout in progress by sending all traffic to the candidate.</summary>
    public Task<ServingEndpoint> PromoteAsync(string name, string? reason = null, CancellationToken cancellationToken = default) =>
        RolloutActionAsync(name, "promote", reason, cancellationToken);

    /// <summary>POST /endpoints/{name}/rollback: returns all traffic to the baseline version.</summary>
    public Task<ServingEndpoint> RollbackAsync(string name, string? reason = null, CancellationToken cancellationToken = default) =>
        RolloutActionAsync(name, "rollback", reason, cancellationToken);

    /// <summary>
    /// POST /endpoints/{name}/invocations with an MLflow scoring body (<c>dataframe_split</c>, <c>dataframe_records</c>,
    /// <c>instances</c> or <c>inputs</c>; or CSV with <see cref="EndpointInvocationOptions.ContentType"/> <c>text/csv</c>).
    /// Invalid inputs throw <see cref="InvalidParameterException"/> with the server's reason.
    /// </summary>
    public Task<EndpointInvocation> InvokeEndpointAsync(
        string name, ReadOnlyMemory<byte> body, EndpointInvocationOptions? options = null, CancellationToken cancellationToken = default) =>
        ScoreAsync(EndpointPath(name) + "/invocations", body, options, cancellationToken);

    /// <summary>POST /endpoints/{name}/invocations with a JSON body given as text.</summary>
    public Task<EndpointInvocation> InvokeEndpointAsync(
        string name, string json, EndpointInvocationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        return InvokeEndpointAsync(name, Encoding.UTF8.GetBytes(json), options, cancellationToken);
    }

    /// <summary>
    /// POST /endpoints/{name}/invocations with rows given as records (<c>dataframe_records</c>): each row maps column
    /// names to numbers, strings, booleans or nulls.
    /// </summary>
    public Task<EndpointInvocation> InvokeEndpointAsync(
        string name, IEnumerable<IReadOnlyDictionary<string, object?>> records, EndpointInvocationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        return InvokeEndpointAsync(name, RecordsBody(records), options, cancellationToken);
    }

    /// <summary>POST /endpoints/{name}/infer with an Open Inference Protocol v2 request body (<c>{"inputs": [...]}</c>).</summary>
    public Task<EndpointInvocation> InferEndpointAsync(
        string name, ReadOnlyMemory<byte> body, EndpointInvocationOptions? options = null, CancellationToken cancellationToken = default) =>
        ScoreAsync(EndpointPath(name) + "/infer", body, options, cancellationToken);

    private async Task<ServingEndpoint> RolloutActionAsync(string name, string action, string? reason, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new RolloutActionRequest { Reason = reason }, EndpointJson.RolloutActionRequest);
        return (await SendForJsonAsync(HttpMethod.Post, EndpointPath(name) + "/" + action, body, EndpointJson.EndpointResponse, cancellationToken)).Endpoint;
    }

    private async Task<EndpointInvocation> ScoreAsync(
        string relativeUri, ReadOnlyMemory<byte> body, EndpointInvocationOptions? options, CancellationToken cancellationToken)
    {
        options ??= new EndpointInvocationOptions();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(options.ContentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, relativeUri) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (!string.IsNullOrEmpty(options.PinVersion))
        {
            request.Headers.Add(EndpointHeaders.PinVersion, options.PinVersion);
        }

        if (!string.IsNullOrEmpty(options.RoutingKey))
        {
            request.Headers.Add(EndpointHeaders.RoutingKey, options.RoutingKey);
        }

        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAnswer.ReadAsync(response, timeout.Token);
        }

        var served = response.Headers.TryGetValues(EndpointHeaders.ServedVersion, out var values) ? values.FirstOrDefault() : null;
        var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return new EndpointInvocation(served, document.RootElement.Clone());
        }
        catch (JsonException ex)
        {
            throw new FlightdeckApiException($"POST {relativeUri} answered a body that is not JSON: {ex.Message}", ex);
        }
    }

    /// <summary>A <c>dataframe_records</c> body, written by hand so it needs no reflection (the SDK is AOT-compatible).</summary>
    private static byte[] RecordsBody(IEnumerable<IReadOnlyDictionary<string, object?>> records)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("dataframe_records");
            foreach (var record in records)
            {
                writer.WriteStartObject();
                foreach (var (column, value) in record)
                {
                    writer.WritePropertyName(column);
                    WriteCell(writer, column, value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteCell(Utf8JsonWriter writer, string column, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case long l: writer.WriteNumberValue(l); break;
            case float f: writer.WriteNumberValue(f); break;
            case double d: writer.WriteNumberValue(d); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case JsonElement element: element.WriteTo(writer); break;
            default:
                throw new ArgumentException($"Column '{column}' holds a {value.GetType().Name}; records take numbers, strings, booleans or nulls.");
        }
    }

    private static string EndpointPath(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return EndpointsRoute + "/" + Uri.EscapeDataString(name);
    }
}
