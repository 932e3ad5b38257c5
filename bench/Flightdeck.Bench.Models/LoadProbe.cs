using System.Diagnostics;
using Flightdeck.Models;
using Microsoft.ML;

namespace Flightdeck.Bench.Models;

/// <summary>Wall and CPU time of <see cref="ModelLoader.Load"/> (read MLmodel, load the zip, build the predictor,
/// warm-up prediction on the input example), alternating with ML.NET's own <c>Model.Load</c> of the same zip. The first
/// load in a process also pays for JIT and ML.NET's component catalog. CPU time is the process's, so it stays
/// meaningful on a machine shared with other work, where wall time mostly measures waiting for a core.</summary>
internal static class LoadProbe
{
    public static int Run(string directory, int count)
    {
        var loader = new List<(double Wall, double Cpu)>();
        var mlnet = new List<(double Wall, double Cpu)>();
        for (var i = 0; i < count; i++)
        {
            loader.Add(Measure(() => ModelLoader.Load(directory).Dispose()));
            mlnet.Add(Measure(() => new MLContext().Model.Load(Path.Combine(directory, ModelPackageWriter.MlNetDataFile), out _)));
            Console.Error.WriteLine($"load {i + 1}: ModelLoader {loader[^1].Wall:F0} ms (cpu {loader[^1].Cpu:F0}), " +
                $"ML.NET Model.Load {mlnet[^1].Wall:F0} ms (cpu {mlnet[^1].Cpu:F0})");
        }
        Console.WriteLine($"LOADS={count}");
        Console.WriteLine($"FIRST_LOAD_MS={loader[0].Wall:F0}");
        Console.WriteLine($"FIRST_LOAD_CPU_MS={loader[0].Cpu:F0}");
        if (count > 1)
        {
            var warm = loader.Skip(1).ToList();
            var warmMlnet = mlnet.Skip(1).ToList();
            Console.WriteLine($"LOAD_MS_MEDIAN={Median(warm.Select(t => t.Wall)):F0}");
            Console.WriteLine($"LOAD_MS_MIN={warm.Min(t => t.Wall):F0}");
            Console.WriteLine($"LOAD_CPU_MS_MEDIAN={Median(warm.Select(t => t.Cpu)):F0}");
            Console.WriteLine($"MLNET_LOAD_MS_MEDIAN={Median(warmMlnet.Select(t => t.Wall)):F0}");
            Console.WriteLine($"MLNET_LOAD_CPU_MS_MEDIAN={Median(warmMlnet.Select(t => t.Cpu)):F0}");
        }
        return 0;
    }

    private static (double Wall, double Cpu) Measure(Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        action();
        var wall = clock.Elapsed.TotalMilliseconds;
        process.Refresh();
        return (wall, (process.TotalProcessorTime - cpu).TotalMilliseconds);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
