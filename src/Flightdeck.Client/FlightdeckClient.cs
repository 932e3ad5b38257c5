using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Flightdeck.Client.Http;
using Flightdeck.Contracts;

namespace Flightdeck.Client;

/// <summary>
/// Client of a Flightdeck (or MLflow) tracking server. One method per REST endpoint, taking and returning the wire DTOs
/// of <c>Flightdeck.Contracts</c>; failures surface as <see cref="FlightdeckApiException"/> subclasses or
/// <see cref="FlightdeckConnectionException"/>. Thread-safe; create one per server and reuse it.
/// </summary>
public sealed partial class FlightdeckClient : IDisposable
{
    /// <summary>The tracking URI used when neither environment variable is set.</summary>
    public static readonly Uri DefaultTrackingUri = new("http://127.0.0.1:5000/");

    private const string MlflowApi = "api/2.0/mlflow/";
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>Creates a client for the server at <paramref name="trackingUri"/> (e.g. <c>http://127.0.0.1:5000</c>).</summary>
    public FlightdeckClient(Uri trackingUri)
        : this(new HttpClient { BaseAddress = NormalizeBase(trackingUri), Timeout = Timeout.InfiniteTimeSpan }, ownsHttp: true)
    {
    }

    /// <summary>
    /// Creates a client over an existing <see cref="HttpClient"/> (from IHttpClientFactory, with auth handlers...).
    /// Its <see cref="HttpClient.BaseAddress"/> must be the server's root. The client is not disposed with this one.
    /// Its <see cref="HttpClient.Timeout"/> also bounds artifact transfers: raise it (or make it infinite) for large files.
    /// </summary>
    public FlightdeckClient(HttpClient httpClient) : this(httpClient, ownsHttp: false)
    {
    }

    private FlightdeckClient(HttpClient httpClient, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        if (httpClient.BaseAddress is null)
        {
            throw new ArgumentException("The HttpClient needs a BaseAddress: the tracking server's root URI.", nameof(httpClient));
        }

        if (!httpClient.BaseAddress.AbsolutePath.EndsWith('/'))
        {
            httpClient.BaseAddress = NormalizeBase(httpClient.BaseAddress);
        }

        _http = httpClient;
        _ownsHttp = ownsHttp;
    }

    /// <summary>The server's root URI.</summary>
    public Uri TrackingUri => _http.BaseAddress!;

    /// <summary>
    /// Limit on each JSON call (artifact transfers are not limited, they stream for as long as they progress).
    /// Default 100 seconds.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// How many metrics, params and tags an <see cref="ActiveRun"/> buffers before logging calls wait for the background
    /// sender to catch up. Default 100,000 (tens of MB at most).
    /// </summary>
    public int RunBufferCapacity { get; init; } = 100_000;

    /// <summary>
    /// Creates a client for FLIGHTDECK_TRACKING_URI, else MLFLOW_TRACKING_URI, else <see cref="DefaultTrackingUri"/>.
    /// </summary>
    public static FlightdeckClient FromEnvironment() => new(ResolveTrackingUri(null));

    /// <summary>
    /// The tracking URI to use: <paramref name="explicitUri"/> when given, else FLIGHTDECK_TRACKING_URI, else MLFLOW_TRACKING_URI,
    /// else <see cref="DefaultTrackingUri"/>. Only http and https URIs are accepted.
    /// </summary>
    public static Uri ResolveTrackingUri(string? explicitUri)
    {
        var text = new[]
        {
            explicitUri,
            Environment.GetEnvironmentVariable("FLIGHTDECK_TRACKING_URI"),
            Environment.GetEnvironmentVariable("MLFLOW_TRACKING_URI"),
        }.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        if (text is null)
        {
            return DefaultTrackingUri;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{text}' is not a tracking server URI; expected http://host:port or https://host:port.");
        }

        return NormalizeBase(uri);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static Uri NormalizeBase(Uri uri) =>
        uri.AbsolutePath.EndsWith('/') ? uri : new UriBuilder(uri) { Path = uri.AbsolutePath + "/" }.Uri;

    internal Task<TResponse> PostAsync<TRequest, TResponse>(
        string route, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken, string prefix = MlflowApi)
    {
        var content = JsonContent(body, requestType);
        return SendJsonAsync(HttpMethod.Post, prefix + route, content, responseType, cancellationToken);
    }

    internal Task<TResponse> GetAsync<TResponse>(
        string route, QueryString query, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken, string prefix = MlflowApi) =>
        SendJsonAsync(HttpMethod.Get, prefix + route + query, null, responseType, cancellationToken);

    private static ByteArrayContent JsonContent<T>(T body, JsonTypeInfo<T> type)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, type));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private async Task<TResponse> SendJsonAsync<TResponse>(
        HttpMethod method, string relativeUri, HttpContent? content, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        using var request = new HttpRequestMessage(method, relativeUri) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAnswer.ReadAsync(response, timeout.Token);
        }

        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            return await JsonSerializer.DeserializeAsync(stream, responseType, timeout.Token)
                ?? throw new FlightdeckApiException($"{method} {relativeUri} answered 'null' instead of a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new FlightdeckApiException($"{method} {request.RequestUri} answered a body that is not the expected JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Sends a request, turning transport failures and timeouts into <see cref="FlightdeckConnectionException"/>.</summary>
    internal async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request, HttpCompletionOption completion, CancellationToken token, CancellationToken callerToken)
    {
        try
        {
            return await _http.SendAsync(request, completion, token);
        }
        catch (HttpRequestException ex)
        {
            throw new FlightdeckConnectionException($"Cannot reach the tracking server at {TrackingUri}: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!callerToken.IsCancellationRequested)
        {
            throw new FlightdeckConnectionException($"The tracking server at {TrackingUri} did not answer {request.Method} {request.RequestUri} in time.", ex);
        }
    }
}
