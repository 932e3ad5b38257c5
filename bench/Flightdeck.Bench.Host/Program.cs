using Flightdeck.Server;
using Flightdeck.Server.Hosting;

// Usage: Flightdeck.Bench.Host <backend-store-uri> <port> <artifacts-folder>
if (args.Length != 3 || !int.TryParse(args[1], out var port))
{
    Console.Error.WriteLine("usage: Flightdeck.Bench.Host <backend-store-uri> <port> <artifacts-folder>");
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

await FlightdeckServer.RunAsync(new ServerOptions
{
    Host = "127.0.0.1",
    Port = port,
    BackendStoreUri = args[0],
    ArtifactsDestination = args[2],
    // bench/run-ui.sh measures the run page both ways.
    ChartSummariesOnWrite = Environment.GetEnvironmentVariable("FLIGHTDECK_CHART_SUMMARIES_ON_WRITE") == "1",
}, stop.Token);
return 0;
