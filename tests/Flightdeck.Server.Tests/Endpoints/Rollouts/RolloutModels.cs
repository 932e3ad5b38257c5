using Flightdeck.Models;
using Microsoft.ML;

namespace Flightdeck.Server.Tests.Endpoints.Rollouts;

/// <summary>Small real ML.NET models (FastTree over two floats X and Y), trained once per test run and written as
/// packages: <see cref="Baseline"/> says whether X + Y &gt; 1; <see cref="Different"/> whether X + Y &gt; 1.7, so on the
/// same inputs its probabilities are mostly low where the baseline's are half high: a large PSI.</summary>
internal static class RolloutModels
{
    private static readonly Lazy<string> BaselinePackage = new(() => Train(threshold: 1.0));
    private static readonly Lazy<string> DifferentPackage = new(() => Train(threshold: 1.7));

    public static string Baseline => BaselinePackage.Value;

    public static string Different => DifferentPackage.Value;

    /// <summary>X in a failing version's input marks the rows its test wrapper fails on.</summary>
    public const float PoisonX = 0.999f;

    private static string Train(double threshold)
    {
        var ml = new MLContext(seed: 5);
        var random = new Random(7);
        var rows = Enumerable.Range(0, 400).Select(_ =>
        {
            var row = new Row { X = (float)Math.Round(random.NextDouble(), 3), Y = (float)Math.Round(random.NextDouble(), 3) };
            row.Label = row.X + row.Y + (random.NextDouble() - 0.5) * 0.1 > threshold;
            return row;
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.Concatenate("Features", "X", "Y")
            .Append(ml.BinaryClassification.Trainers.FastTree(numberOfLeaves: 8, numberOfTrees: 20, minimumExampleCountPerLeaf: 5));
        var directory = Directory.CreateTempSubdirectory("flightdeck-rollout-model-").FullName;
        new ModelPackageWriter(ml).Write(directory, pipeline.Fit(data), data,
            new ModelPackageWriteOptions { OnnxExport = OnnxExport.None, ArtifactPath = "model" });
        return directory;
    }

    private sealed class Row
    {
        public float X { get; set; }

        public float Y { get; set; }

        public bool Label { get; set; }
    }
}

/// <summary>Test only: a version that fails (a server fault, so a 500) every request with a row whose X is
/// <see cref="RolloutModels.PoisonX"/>, and answers the rest as the model it wraps.</summary>
internal sealed class PoisonedPredictor(IPredictor inner) : IPredictor
{
    public string Flavor => inner.Flavor;

    public ModelPackage Package => inner.Package;

    public ModelSignature Signature => inner.Signature;

    public DataBatch Predict(DataBatch input)
    {
        if (input.TryGetColumn("X", out var x) && x.Type == BatchColumnType.Single && x.GetValues<float>().Contains(RolloutModels.PoisonX))
            throw new InvalidOperationException("Injected failure of the test's poisoned version.");
        return inner.Predict(input);
    }

    public void Dispose() => inner.Dispose();
}
