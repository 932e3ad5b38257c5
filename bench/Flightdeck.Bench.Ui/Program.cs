using System.Globalization;
using Flightdeck.Bench.Ui;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var rest = args.Skip(1).ToArray();
static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
return args.FirstOrDefault() switch
{
    "seed-metrics" when rest.Length == 3 => await ManyMetricsSeeder.RunAsync(rest[0], Int(rest[1]), Int(rest[2]), cancel.Token),
    "log-metrics" when rest.Length == 3 => await MetricsLogger.RunAsync(rest[0], Int(rest[1]), Int(rest[2]), cancel.Token),
    "probe" when rest.Length == 3 => await PageProbe.RunAsync(rest[0], rest[1], Int(rest[2]), cancel.Token),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage:
          Flightdeck.Bench.Ui seed-metrics <backend-store-uri> <metrics> <points>   prints RUN_ID=
          Flightdeck.Bench.Ui log-metrics <server-url> <metrics> <points>           through log-batch; prints RUN_ID=
          Flightdeck.Bench.Ui probe <url> <marker> <reps>                           marker: runs-table | charts
        """);
    return 2;
}
