using System.Net;
using System.Text;
using System.Text.Json;

namespace Flightdeck.EndToEnd.Tests.Infrastructure;

/// <summary>The few MLflow REST calls these tests make, over plain HTTP as any MLflow client would.</summary>
public sealed class Mlflow(Uri baseAddress) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(15) };

    public Uri BaseAddress => baseAddress;

    public async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string route, object body, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync("api/2.0/mlflow/" + route, content, cancellationToken);
        return (response.StatusCode, await ReadAsync(response, cancellationToken));
    }

    public async Task<JsonElement> PostOkAsync(string route, object body)
    {
        var (status, json) = await PostAsync(route, body);
        return status == HttpStatusCode.OK ? json : throw new InvalidOperationException($"{route}: {(int)status} {json}");
    }

    public async Task<JsonElement> GetOkAsync(string routeAndQuery)
    {
        using var response = await _http.GetAsync("api/2.0/mlflow/" + routeAndQuery);
        var json = await ReadAsync(response, CancellationToken.None);
        return response.StatusCode == HttpStatusCode.OK ? json : throw new InvalidOperationException($"{routeAndQuery}: {(int)response.StatusCode} {json}");
    }

    public async Task<string> CreateRunAsync(string experimentId = "0") =>
        (await PostOkAsync("runs/create", new { experiment_id = experimentId, start_time = 1 })).GetProperty("run").GetProperty("info")
            .GetProperty("run_id").GetString()!;

    public async Task<JsonElement> GetRunAsync(string runId) => (await GetOkAsync($"runs/get?run_id={runId}")).GetProperty("run");

    /// <summary>The steps of a metric's full history, in stored order.</summary>
    public async Task<List<long>> HistoryStepsAsync(string runId, string key)
    {
        var history = await GetOkAsync($"metrics/get-history?run_id={runId}&metric_key={Uri.EscapeDataString(key)}");
        return history.TryGetProperty("metrics", out var metrics) ? metrics.EnumerateArray().Select(m => m.GetProperty("step").GetInt64()).ToList() : [];
    }

    public void Dispose() => _http.Dispose();

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
