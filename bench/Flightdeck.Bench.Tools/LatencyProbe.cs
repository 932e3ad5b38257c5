using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Flightdeck.Bench.Tools;

/// <summary>
/// Sends the same request COUNT times (after WARMUP untimed ones) from CONCURRENCY loops and reports latency
/// percentiles. A latency is time to last byte: from sending the request to having read the whole response body.
/// </summary>
internal static class LatencyProbe
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var method = new HttpMethod(args[0]);
        var url = args[1];
        var count = int.Parse(args[2]);
        var body = args.Length > 3 && args[3] is { Length: > 0 } file && file != "-" ? await File.ReadAllBytesAsync(file, ct) : null;
        var warmup = args.Length > 4 ? int.Parse(args[4]) : 10;
        var concurrency = args.Length > 5 ? int.Parse(args[5]) : 1;

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = TimeSpan.FromMinutes(5) };
        var (status, first) = await SendAsync(client, method, url, body, keepBody: true, ct);
        if (status != 200)
        {
            Console.Error.WriteLine($"HTTP {status}: {Encoding.UTF8.GetString(first.AsSpan(0, Math.Min(first.Length, 2000)))}");
            return 1;
        }

        Console.WriteLine($"RESPONSE_BYTES={first.Length}");
        Console.WriteLine($"RESPONSE_ITEMS={CountItems(first)}");
        for (var i = 1; i < warmup; i++)
        {
            await SendAsync(client, method, url, body, keepBody: false, ct);
        }

        var latencies = new List<double>(count);
        var wall = Stopwatch.StartNew();
        var perLoop = count / concurrency;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            var mine = new List<double>(perLoop);
            for (var i = 0; i < perLoop; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var (code, _) = await SendAsync(client, method, url, body, keepBody: false, ct);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (code != 200)
                {
                    throw new InvalidOperationException($"HTTP {code} during the measurement");
                }
            }

            lock (latencies)
            {
                latencies.AddRange(mine);
            }
        }));
        wall.Stop();

        latencies.Sort();
        Console.WriteLine($"COUNT={latencies.Count}");
        Console.WriteLine($"CONCURRENCY={concurrency}");
        Console.WriteLine($"RPS={latencies.Count / wall.Elapsed.TotalSeconds:F1}");
        Console.WriteLine($"P50_MS={Percentile(latencies, 50):F2}");
        Console.WriteLine($"P90_MS={Percentile(latencies, 90):F2}");
        Console.WriteLine($"P99_MS={Percentile(latencies, 99):F2}");
        Console.WriteLine($"MAX_MS={latencies[^1]:F2}");
        Console.WriteLine($"MEAN_MS={latencies.Average():F2}");
        return 0;
    }

    private static async Task<(int Status, byte[] Body)> SendAsync(HttpClient client, HttpMethod method, string url, byte[]? body, bool keepBody,
        CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new("application/json");
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        if (keepBody)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, ct);
            return ((int)response.StatusCode, copy.ToArray());
        }

        var buffer = new byte[64 * 1024];
        while (await stream.ReadAsync(buffer, ct) > 0)
        {
        }

        return ((int)response.StatusCode, []);
    }

    /// <summary>The length of the response's first array (runs, metrics): proof that the query returned what it should.</summary>
    private static int CountItems(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Array)
            {
                return property.Value.GetArrayLength();
            }
        }

        return 0;
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    internal static double Percentile(List<double> sorted, double percent)
    {
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
