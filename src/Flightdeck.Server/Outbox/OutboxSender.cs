using System.Net.Http.Headers;
using System.Text;
using Flightdeck.Server.Hosting;

namespace Flightdeck.Server.Outbox;

/// <summary>The answer to one delivery attempt: a status (null when no answer came), an error, and the start of the body.</summary>
internal sealed record SendResult(int? Status, string? Error, string? Body)
{
    public bool Succeeded => Status is >= 200 and < 300;
}

/// <summary>
/// Sends outbox requests. Redirects are not followed: a receiver that moved must be reconfigured, rather than the
/// server being led to POST signed payloads wherever a response points.
/// </summary>
internal sealed class OutboxSender : IDisposable
{
    public const int MaxBodyChars = 1024;

    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;

    public OutboxSender(ServerOptions options)
    {
        _timeout = options.Outbox.RequestTimeout;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = _timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            UseCookies = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Flightdeck-Outbox", "1"));
    }

    /// <summary>A POST of <paramref name="payload"/> with the stored headers (content headers go on the content).</summary>
    public static HttpRequestMessage CreateRequest(string destination, string payload, IReadOnlyDictionary<string, string>? headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, destination) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(payload)) };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    /// <summary>Sends <paramref name="request"/>; throws only when <paramref name="ct"/> is cancelled.</summary>
    public async Task<SendResult> SendAsync(HttpRequestMessage request, bool readBody, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            var body = readBody ? await ReadStartAsync(response, timeout.Token) : null;
            var error = status is >= 200 and < 300 ? null : $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
            return new SendResult(status, error, body);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new SendResult(null, $"No answer within {_timeout.TotalSeconds:0.###} s.", null);
        }
        catch (HttpRequestException ex)
        {
            return new SendResult(null, ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message, null);
        }
    }

    private static async Task<string> ReadStartAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var buffer = new char[MaxBodyChars];
        var read = await reader.ReadBlockAsync(buffer, ct);
        return new string(buffer, 0, read);
    }

    public void Dispose() => _http.Dispose();
}
