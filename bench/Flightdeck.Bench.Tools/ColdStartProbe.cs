using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Flightdeck.Bench.Tools;

/// <summary>
/// Starts a server COUNT times and measures, each time, the wall time from starting the process to its first 200
/// on /health, then the resident memory (VmRSS) after a handful of ordinary requests and a second of idling.
/// </summary>
internal static class ColdStartProbe
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var port = int.Parse(args[0]);
        var count = int.Parse(args[1]);
        var exe = args[2];
        var exeArgs = args[3..];
        var baseUrl = $"http://127.0.0.1:{port}";
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var startMs = new List<double>();
        var rssMb = new List<double>();

        for (var attempt = 0; attempt < count; attempt++)
        {
            var info = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in exeArgs)
            {
                info.ArgumentList.Add(arg);
            }

            var clock = Stopwatch.StartNew();
            using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {exe}");
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await WaitHealthyAsync(client, baseUrl, process, ct);
                startMs.Add(clock.Elapsed.TotalMilliseconds);
                await ExerciseAsync(client, baseUrl, attempt, ct);
                await Task.Delay(1000, ct);
                rssMb.Add(ResidentMegabytes(process.Id));
                Console.Error.WriteLine($"start {attempt + 1}: {startMs[^1]:F0} ms to healthy, VmRSS {rssMb[^1]:F1} MB");
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(ct);
            }
        }

        startMs.Sort();
        rssMb.Sort();
        Console.WriteLine($"STARTS={count}");
        Console.WriteLine($"START_MS_ALL={string.Join(",", startMs.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"START_MS_MEDIAN={Median(startMs):F0}");
        Console.WriteLine($"START_MS_MAX={startMs[^1]:F0}");
        Console.WriteLine($"RSS_MB_MEDIAN={Median(rssMb):F1}");
        Console.WriteLine($"RSS_MB_MAX={rssMb[^1]:F1}");
        return 0;
    }

    private static async Task WaitHealthyAsync(HttpClient client, string baseUrl, Process process, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with code {process.ExitCode} before it was healthy");
            }

            try
            {
                using var response = await client.GetAsync($"{baseUrl}/health", ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("the server was not healthy within 60 s");
            }

            await Task.Delay(2, ct);
        }
    }

    /// <summary>What a client does first: create an experiment and a run, log a few batches, read the run back, search.</summary>
    private static async Task ExerciseAsync(HttpClient client, string baseUrl, int attempt, CancellationToken ct)
    {
        var api = $"{baseUrl}/api/2.0/mlflow";
        var experiment = await PostAsync(client, $"{api}/experiments/create", $$"""{"name":"cold-start-{{Guid.NewGuid():N}}-{{attempt}}"}""", ct);
        var experimentId = Field(experiment, "experiment_id");
        var run = await PostAsync(client, $"{api}/runs/create", $$"""{"experiment_id":"{{experimentId}}"}""", ct);
        var runId = Field(run, "run_id");
        for (var step = 0; step < 10; step++)
        {
            await PostAsync(client, $"{api}/runs/log-batch",
                $$"""{"run_id":"{{runId}}","metrics":[{"key":"loss","value":0.5,"timestamp":1700000000000,"step":{{step}}}],"params":[{"key":"p{{step}}","value":"x"}]}""",
                ct);
        }

        (await client.GetAsync($"{api}/runs/get?run_id={runId}", ct)).EnsureSuccessStatusCode();
        // Search may not exist on every build under test; its status does not matter here.
        using var search = await client.PostAsync($"{api}/runs/search",
            new StringContent($$"""{"experiment_ids":["{{experimentId}}"],"filter":"metrics.loss < 1","max_results":10}""", Encoding.UTF8, "application/json"), ct);
    }

    private static async Task<string> PostAsync(HttpClient client, string url, string json, CancellationToken ct)
    {
        using var response = await client.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"), ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"{url}: HTTP {(int)response.StatusCode} {body}");
    }

    private static string Field(string json, string name)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return FindString(document.RootElement, name) ?? throw new InvalidOperationException($"no {name} in {json}");
    }

    private static string? FindString(System.Text.Json.JsonElement element, string name)
    {
        if (element.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Name == name && property.Value.ValueKind == System.Text.Json.JsonValueKind.String)
            {
                return property.Value.GetString();
            }

            if (FindString(property.Value, name) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static double ResidentMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kib = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kib / 1024.0;
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
