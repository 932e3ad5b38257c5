using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Tests.Robustness;

/// <summary>
/// Sends fuzz cases to a server and checks each answer: never a 5xx; an error is a 4xx with an
/// <c>{"error_code", "message"}</c> body; a request that must fail does; a refused request leaves the store as it was.
/// Failures are collected, not thrown, so one run reports every broken case.
/// </summary>
internal sealed class FuzzRunner(TestServer server, StoreSnapshot snapshot) : IAsyncDisposable
{
    private string? _store;

    public static async Task<FuzzRunner> StartAsync(TestServer server) =>
        new(server, await StoreSnapshot.OpenAsync(server.Services.GetRequiredService<Database>()));

    public List<string> Failures { get; } = [];

    public int Sent { get; private set; }

    /// <summary>The slowest cases, to keep the sweep's run time in check.</summary>
    public List<(TimeSpan Elapsed, string Case)> Timings { get; } = [];

    public async Task<(HttpStatusCode Status, string Body)> SendAsync(FuzzCase fuzzCase)
    {
        _store ??= await snapshot.TakeAsync();
        Sent++;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var request = new HttpRequestMessage(new HttpMethod(fuzzCase.Method), fuzzCase.PathAndQuery);
        if (fuzzCase.Body is { } body)
        {
            request.Content = fuzzCase.Chunked ? new StreamContent(new UnseekableStream(body)) : new ByteArrayContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(fuzzCase.ContentType);
        }

        HttpStatusCode status;
        string text;
        try
        {
            using var response = await server.Http.SendAsync(request);
            status = response.StatusCode;
            text = await response.Content.ReadAsStringAsync();
        }
        catch (HttpRequestException ex)
        {
            Failures.Add($"{fuzzCase}: the connection failed: {ex.Message}");
            return (0, "");
        }

        Check(fuzzCase, status, text);
        var after = await snapshot.TakeAsync();
        if ((int)status >= 400 && after != _store)
        {
            Failures.Add($"{fuzzCase}: refused with {(int)status} but the store changed: {text}");
        }

        _store = after;
        Timings.Add((clock.Elapsed, fuzzCase.ToString()));
        return (status, text);
    }

    /// <summary>Accepts changes made outside the sweep (setting up its targets).</summary>
    public async Task RefreshAsync() => _store = await snapshot.TakeAsync();

    public ValueTask DisposeAsync() => snapshot.DisposeAsync();

    private void Check(FuzzCase fuzzCase, HttpStatusCode status, string text)
    {
        var code = (int)status;
        if (code >= 500)
        {
            Failures.Add($"{fuzzCase}: {code} {Shorten(text)}");
            return;
        }

        if (fuzzCase.MustFail && code < 400)
        {
            Failures.Add($"{fuzzCase}: accepted with {code} but must be refused: {Shorten(text)}");
            return;
        }

        // Kestrel answers an over-long request line or header block itself, before any middleware can write JSON;
        // routing answers a wrong verb outside /api and /ajax-api (where no JSON fallback is mapped) with a bare 405.
        if (status is HttpStatusCode.RequestUriTooLong or HttpStatusCode.RequestHeaderFieldsTooLarge
            || (status == HttpStatusCode.MethodNotAllowed && !fuzzCase.PathAndQuery.Contains("api/", StringComparison.Ordinal))
            || (status == HttpStatusCode.BadRequest && text.Length == 0 && PathOf(fuzzCase).Contains("%00", StringComparison.Ordinal)))
        {
            return;
        }

        if (code < 400 && fuzzCase.Method == "GET" && (fuzzCase.PathAndQuery.StartsWith("get-artifact", StringComparison.Ordinal)
            || fuzzCase.PathAndQuery.Contains("mlflow-artifacts/artifacts/", StringComparison.Ordinal)))
        {
            return; // a file download: its body is the file
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (code >= 400 && !IsErrorBody(document.RootElement))
            {
                Failures.Add($"{fuzzCase}: {code} without an error_code/message body: {Shorten(text)}");
            }
        }
        catch (JsonException)
        {
            Failures.Add($"{fuzzCase}: {code} with a body that is not JSON: {Shorten(text)}");
        }
    }

    /// <summary>Kestrel refuses a NUL in the request path itself, with a bare 400.</summary>
    private static string PathOf(FuzzCase fuzzCase) => fuzzCase.PathAndQuery.Split('?')[0];

    private static bool IsErrorBody(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("error_code", out var errorCode) && errorCode.ValueKind == JsonValueKind.String
        && errorCode.GetString()!.Length > 0
        && root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String;

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..297] + "...";

    /// <summary>A stream HttpClient cannot measure, so the body goes out chunked.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
