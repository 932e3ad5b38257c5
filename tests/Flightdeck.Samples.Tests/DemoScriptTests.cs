using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Flightdeck.Client;
using Flightdeck.Contracts;

namespace Flightdeck.Samples.Tests;

/// <summary>scripts/demo.sh as CI runs it: --no-wait, its own port and data folder.</summary>
public sealed class DemoScriptTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("flightdeck-demo-").FullName;

    [Fact]
    public async Task Bad_options_and_ports_are_refused_before_anything_is_built()
    {
        var unknown = await RunDemoAsync(["--bogus"], new Dictionary<string, string>());
        var badPort = await RunDemoAsync([], new Dictionary<string, string> { ["FLIGHTDECK_PORT"] = "70000" });

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("unknown option '--bogus'", unknown.Output, StringComparison.Ordinal);
        Assert.Equal(2, badPort.ExitCode);
        Assert.Contains("FLIGHTDECK_PORT", badPort.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_builds_starts_the_server_logs_and_registers_the_sample_rolls_out_a_challenger_and_stops_with_no_wait()
    {
        var port = FreePort();

        var demo = await RunDemoAsync([], new Dictionary<string, string>
        {
            ["FLIGHTDECK_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FLIGHTDECK_DEMO_NO_WAIT"] = "1",
            ["FLIGHTDECK_DEMO_DATA_DIR"] = _dataDir,
        });

        Assert.True(demo.ExitCode == 0, demo.Output);
        var runId = demo.Output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("Run id:", StringComparison.Ordinal))["Run id:".Length..].Trim();
        Assert.Contains($"http://127.0.0.1:{port}", demo.Output, StringComparison.Ordinal);
        Assert.Contains("flightdeck runs list --experiment readmission", demo.Output, StringComparison.Ordinal);
        Assert.Contains("model:      readmission version 1 (alias champion): models:/readmission@champion", demo.Output, StringComparison.Ordinal);
        Assert.Contains("Loaded models:/readmission@champion (version 1)", demo.Output, StringComparison.Ordinal);
        Assert.False(await AnswersAsync(port), "the server should be stopped after --no-wait");

        // The demo's store outlives its server: reopen it and find the finished run with its model.
        await using var server = await SampleServer.StartAsync(_dataDir);
        using var client = new FlightdeckClient(server.BaseAddress);
        var run = (await client.GetRunAsync(runId, TestContext.Current.CancellationToken)).Run;
        Assert.Equal(RunStatus.Finished, run.Info.Status);
        Assert.Contains(run.Data.Params, p => p.Key == "trainer" && p.Value == "FastTreeBinary");
        var model = await client.ListArtifactsAsync(runId, "model", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains(model.Files, f => f.Path == "model/model.zip");
        Assert.Contains(model.Files, f => f.Path == "model/MLmodel");
        var champion = await client.GetModelVersionByAliasAsync("readmission", "champion", TestContext.Current.CancellationToken);
        Assert.Equal(runId, champion.RunId);

        // The challenger went out by canary and the endpoint serves it; the rollout's story is in the endpoint's history.
        Assert.Contains("served by version 1", demo.Output, StringComparison.Ordinal);
        Assert.Contains("Rollout succeeded", demo.Output, StringComparison.Ordinal);
        var endpoint = await client.GetEndpointAsync("readmission", TestContext.Current.CancellationToken);
        var live = Assert.Single(endpoint.Routes);
        Assert.Equal(("2", RouteRole.Live, 100), (live.Version, live.Role, live.Weight));
        Assert.Equal(RolloutStatus.Succeeded, endpoint.Rollout?.Status);
        var history = await client.GetEndpointHistoryAsync("readmission", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(
            [EndpointEventType.Promoted, EndpointEventType.StepAdvanced, EndpointEventType.RolloutStarted, EndpointEventType.Created],
            history.Events.Select(e => e.Type));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment; the temp folder is reclaimed by the OS.
        }
    }

    private static async Task<(int ExitCode, string Output)> RunDemoAsync(string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("scripts/demo.sh");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(15)); // A cold Release build on a small machine takes minutes.
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Flightdeck.slnx")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Flightdeck.slnx not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> AnswersAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"));
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
