using System.Diagnostics;
using Flightdeck.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flightdeck.Bench.Models;

/// <summary>Rows per second of the predictor next to ML.NET called directly on the same rows: <c>Transform</c> over
/// an IDataView of the rows, reading the Score column to the end. Rounds alternate between the two so that load from
/// other processes on the machine hits both alike; the predictor does more (checks the input, returns PredictedLabel,
/// Score and Probability).</summary>
internal static class ThroughputProbe
{
    public static int Run(string directory, int batchSize, int rounds)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(Path.Combine(directory, ModelPackageWriter.MlNetDataFile), out _);
        using var predictor = ModelLoader.Load(directory);
        var rows = SyntheticData.Generate(batchSize, seed: 99);
        var view = ml.Data.LoadFromEnumerable(rows);
        var batch = new DataBatch(BatchColumn.FromVectors("Features", [.. rows.SelectMany(r => r.Features)], SyntheticData.FeatureCount));

        var checksumDirect = Direct(model, view);
        var checksumPredictor = Predicted(predictor, batch);
        if (Math.Abs(checksumDirect - checksumPredictor) > 1e-3 * Math.Max(1, Math.Abs(checksumDirect)))
            throw new InvalidOperationException($"Scores differ: direct {checksumDirect}, predictor {checksumPredictor}.");

        var direct = new List<double>();
        var directAll = new List<double>();
        var predicted = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            direct.Add(Time(() => Direct(model, view)));
            predicted.Add(Time(() => Predicted(predictor, batch)));
            directAll.Add(Time(() => DirectAllOutputs(model, view)));
        }
        var directMedian = Median(direct);
        var predictorMedian = Median(predicted);
        Console.WriteLine($"BATCH_ROWS={batchSize}");
        Console.WriteLine($"ROUNDS={rounds}");
        Console.WriteLine($"DIRECT_MS_MEDIAN={directMedian:F2}");
        Console.WriteLine($"PREDICTOR_MS_MEDIAN={predictorMedian:F2}");
        Console.WriteLine($"DIRECT_ALL_OUTPUTS_MS_MEDIAN={Median(directAll):F2}");
        Console.WriteLine($"DIRECT_ROWS_PER_S={batchSize / directMedian * 1000:F0}");
        Console.WriteLine($"PREDICTOR_ROWS_PER_S={batchSize / predictorMedian * 1000:F0}");
        Console.WriteLine($"PREDICTOR_VS_DIRECT={predictorMedian / directMedian:F3}");
        return 0;
    }

    private static double Direct(ITransformer model, IDataView view)
    {
        var scored = model.Transform(view);
        var column = scored.Schema["Score"];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<float>(column);
        double sum = 0;
        float score = 0;
        while (cursor.MoveNext())
        {
            getter(ref score);
            sum += score;
        }
        return sum;
    }

    /// <summary>ML.NET reading the same three columns the predictor returns, to separate the cost of the extra
    /// outputs from the predictor's own.</summary>
    private static double DirectAllOutputs(ITransformer model, IDataView view)
    {
        var scored = model.Transform(view);
        var columns = new[] { scored.Schema["PredictedLabel"], scored.Schema["Score"], scored.Schema["Probability"] };
        using var cursor = scored.GetRowCursor(columns);
        var label = cursor.GetGetter<bool>(columns[0]);
        var score = cursor.GetGetter<float>(columns[1]);
        var probability = cursor.GetGetter<float>(columns[2]);
        double sum = 0;
        bool l = false;
        float s = 0, p = 0;
        while (cursor.MoveNext())
        {
            label(ref l);
            score(ref s);
            probability(ref p);
            sum += s;
        }
        return sum;
    }

    private static double Predicted(IPredictor predictor, DataBatch batch)
    {
        double sum = 0;
        foreach (var score in predictor.Predict(batch)["Score"].GetValues<float>())
            sum += score;
        return sum;
    }

    private static double Time(Func<double> action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
