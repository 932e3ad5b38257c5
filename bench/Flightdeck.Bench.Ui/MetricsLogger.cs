using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Flightdeck.Bench.Ui;

/// <summary>
/// Logs a run of M metrics × N points through a running server's log-batch, 1,000 metrics a request in step order, as
/// a training job does: the rows arrive through the server's own write path, so whatever it keeps beside them (chart
/// block summaries) is built as it would be for a user. Prints RUN_ID= and the time it took.
/// </summary>
internal static class MetricsLogger
{
    private const int BatchMetrics = 1000;

    public static async Task<int> RunAsync(string baseUrl, int metricCount, int points, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/api/2.0/mlflow/") };
        var experiment = await PostAsync(http, "experiments/create", $$"""{"name":"ui-charts-http-{{Guid.NewGuid():N}}"}""", ct);
        var experimentId = experiment.GetProperty("experiment_id").GetString();
        var run = await PostAsync(http, "runs/create", $$"""{"experiment_id":"{{experimentId}}","run_name":"many-metrics"}""", ct);
        var runId = run.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;

        var started = DateTime.UtcNow;
        var stepsPerRequest = Math.Max(1, BatchMetrics / metricCount);
        var body = new StringBuilder();
        for (long step = 0; step < points; step += stepsPerRequest)
        {
            body.Clear().Append("{\"run_id\":\"").Append(runId).Append("\",\"metrics\":[");
            var first = true;
            for (var s = step; s < Math.Min(points, step + stepsPerRequest); s++)
            {
                for (var m = 0; m < metricCount; m++)
                {
                    body.Append(first ? "" : ",").Append("{\"key\":\"metric_").Append(m.ToString("D2", CultureInfo.InvariantCulture))
                        .Append("\",\"value\":").Append(ManyMetricsSeeder.Value(m, s).ToString("R", CultureInfo.InvariantCulture))
                        .Append(",\"timestamp\":").Append((1_700_000_000_000 + (s * 100)).ToString(CultureInfo.InvariantCulture))
                        .Append(",\"step\":").Append(s.ToString(CultureInfo.InvariantCulture)).Append('}');
                    first = false;
                }
            }

            await PostAsync(http, "runs/log-batch", body.Append("]}").ToString(), ct);
        }

        Console.WriteLine($"RUN_ID={runId}");
        Console.WriteLine($"LOGGED={(long)metricCount * points} points in {(DateTime.UtcNow - started).TotalSeconds:F1} s");
        return 0;
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string route, string json, CancellationToken ct)
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(route, content, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{route}: {(int)response.StatusCode} {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
