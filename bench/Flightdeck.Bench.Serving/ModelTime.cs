using System.Diagnostics;
using Flightdeck.Models;
using Flightdeck.Serving;

namespace Flightdeck.Bench.Serving;

/// <summary>The model time beside the serving numbers: how long one predict call of 1 to 64 rows takes, called from one
/// thread, with ONNX Runtime's defaults and with the settings ModelHost serves with. Prints min, median and p90 of repeated
/// calls (after a warm-up), and the time per row.</summary>
internal static class ModelTime
{
    private static readonly int[] BatchSizes = [1, 8, 16, 32, 64];

    public static void Run(string flavor)
    {
        var root = Directory.CreateTempSubdirectory("flightdeck-bench-modeltime-").FullName;
        try
        {
            var directory = OnnxGraphs.WritePackage(flavor, root);
            Console.WriteLine($"{flavor}: one predict call, one caller; min / median / p90 ms, and µs per row at the median " +
                "(on a busy machine the min is the closest to the uncontended time)");
            foreach (var (label, options) in new[]
            {
                ("ORT defaults", new ModelLoadOptions()),
                ("serving (1 thread, no spin)", ModelHost.ServingLoadOptions(new BatchingOptions())),
                ("2 threads, no spin", new ModelLoadOptions { OnnxIntraOpThreads = 2, OnnxSpinWait = false }),
            })
            {
                using var predictor = ModelLoader.Load(directory, options);
                var width = (int)predictor.Signature.Inputs.Tensors[0].ValuesPerRow;
                var name = predictor.Signature.Inputs.Tensors[0].Name ?? "input";
                foreach (var rows in BatchSizes)
                {
                    var input = new DataBatch(BatchColumn.FromVectors(name, Values(rows * width), width));
                    var times = Time(predictor, input);
                    Console.WriteLine($"  {label,-28} batch {rows,2}: {times[0],7:F3} / {times[times.Length / 2],7:F3} / {times[times.Length * 9 / 10],7:F3} ms, " +
                        $"{times[times.Length / 2] * 1000 / rows,7:F1} µs/row");
                }
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static double[] Time(IPredictor predictor, DataBatch input)
    {
        for (var i = 0; i < 20; i++)
            predictor.Predict(input);
        var budget = Stopwatch.StartNew();
        var times = new List<double>();
        while (times.Count < 30 || (budget.Elapsed < TimeSpan.FromSeconds(2) && times.Count < 2000))
        {
            var started = Stopwatch.GetTimestamp();
            predictor.Predict(input);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return [.. times.Order()];
    }

    private static float[] Values(int count)
    {
        var random = new Random(3);
        var values = new float[count];
        for (var i = 0; i < count; i++)
            values[i] = (float)(random.NextDouble() - 0.5);
        return values;
    }
}
