using Flightdeck.Bench.Tools;

// The commands bench/run-*.sh call; each prints machine-readable "KEY=value" lines on stdout.
var command = args.Length > 0 ? args[0] : "";
var rest = args.Skip(1).ToArray();
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return command switch
{
    "seed-search" when rest.Length == 2 => await SearchSeeder.RunAsync(rest[0], int.Parse(rest[1]), cancel.Token),
    "seed-history" when rest.Length == 2 => await HistorySeeder.RunAsync(rest[0], int.Parse(rest[1]), cancel.Token),
    "seed-registry" when rest.Length == 2 => await RegistrySeeder.RunAsync(rest[0], int.Parse(rest[1]), cancel.Token),
    "latency" when rest.Length >= 3 => await LatencyProbe.RunAsync(rest, cancel.Token),
    "cold-start" when rest.Length >= 3 => await ColdStartProbe.RunAsync(rest, cancel.Token),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage:
          Flightdeck.Bench.Tools seed-search <backend-store-uri> <runs>       prints EXPERIMENT_ID=
          Flightdeck.Bench.Tools seed-history <backend-store-uri> <points>    prints RUN_ID=
          Flightdeck.Bench.Tools seed-registry <backend-store-uri> <models>   10 versions per model
          Flightdeck.Bench.Tools latency <GET|POST> <url> <count> [body-file] [warmup] [concurrency]
          Flightdeck.Bench.Tools cold-start <port> <count> <exe> [args...]
        """);
    return 2;
}
