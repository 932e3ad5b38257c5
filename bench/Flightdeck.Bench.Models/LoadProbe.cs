using System.Diagnostics;
using Flightdeck.Models;

namespace Flightdeck.Bench.Models;

/// <summary>Wall time of <see cref="ModelLoader.Load"/> (read MLmodel, load the zip, build the predictor, warm-up
/// prediction on the input example). The first load in a process also pays for JIT and ML.NET's component catalog.</summary>
internal static class LoadProbe
{
    public static int Run(string directory, int count)
    {
        var times = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            using (ModelLoader.Load(directory))
                times.Add(clock.Elapsed.TotalMilliseconds);
            Console.Error.WriteLine($"load {i + 1}: {times[^1]:F0} ms");
            GC.Collect();
        }
        var warm = times.Skip(1).Order().ToList();
        Console.WriteLine($"FIRST_LOAD_MS={times[0]:F0}");
        if (warm.Count > 0)
        {
            Console.WriteLine($"WARM_LOAD_MS_MEDIAN={warm[warm.Count / 2]:F0}");
            Console.WriteLine($"WARM_LOAD_MS_MAX={warm[^1]:F0}");
        }
        return 0;
    }
}
