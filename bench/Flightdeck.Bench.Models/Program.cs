using Flightdeck.Bench.Models;

// The commands bench/run-models.sh calls; each prints machine-readable "KEY=value" lines on stdout.
return args switch
{
    ["generate", var directory, var trees, var leaves] => ModelGenerator.Run(directory, int.Parse(trees), int.Parse(leaves)),
    ["load", var directory, var count] => LoadProbe.Run(directory, int.Parse(count)),
    ["throughput", var directory, var batchSize, var rounds] => ThroughputProbe.Run(directory, int.Parse(batchSize), int.Parse(rounds)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage:
          Flightdeck.Bench.Models generate <dir> <trees> <leaves>        trains FastTree on synthetic data, writes a package
          Flightdeck.Bench.Models load <dir> <count>                     loads the package into a ready predictor COUNT times
          Flightdeck.Bench.Models throughput <dir> <batch-size> <rounds> predictor vs ML.NET Transform, interleaved rounds
        """);
    return 2;
}
