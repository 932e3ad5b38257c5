using System.Diagnostics;
using Flightdeck.Models;
using Microsoft.ML;

namespace Flightdeck.Bench.Models;

/// <summary>Trains a FastTree binary classifier whose size is set by its trees and leaves, and writes it as a package.</summary>
internal static class ModelGenerator
{
    public static int Run(string directory, int trees, int leaves)
    {
        var clock = Stopwatch.StartNew();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SyntheticData.Generate(12_000, seed: 5));
        var trainer = ml.BinaryClassification.Trainers.FastTree(new Microsoft.ML.Trainers.FastTree.FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = trees,
            NumberOfLeaves = leaves,
            MinimumExampleCountPerLeaf = 2,
            LearningRate = 0.05,
            FeatureFraction = 0.7,
            NumberOfThreads = Environment.ProcessorCount,
        });
        var model = trainer.Fit(data);
        var trainSeconds = clock.Elapsed.TotalSeconds;
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        new ModelPackageWriter(ml).Write(directory, model, data);
        var bytes = new FileInfo(Path.Combine(directory, ModelPackageWriter.MlNetDataFile)).Length;
        Console.WriteLine($"TREES={trees}");
        Console.WriteLine($"LEAVES={leaves}");
        Console.WriteLine($"TRAIN_S={trainSeconds:F1}");
        Console.WriteLine($"MODEL_ZIP_MB={bytes / 1e6:F1}");
        return 0;
    }
}
