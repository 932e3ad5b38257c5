using System.Globalization;

namespace Flightdeck.Samples.Readmission.Training;

/// <summary>Hyperparameters of the boosted-trees model and of the tree-count sweep that gives the per-step metrics.</summary>
public sealed record TrainingSettings
{
    public int Seed { get; init; } = 42;

    /// <summary>Share of rows held out for evaluation.</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Tree counts trained in turn, each evaluated on the held-out rows (the "steps" of the run).</summary>
    public IReadOnlyList<int> TreeCounts { get; init; } = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

    public int NumberOfLeaves { get; init; } = 8;

    public int MinimumExampleCountPerLeaf { get; init; } = 50;

    public double LearningRate { get; init; } = 0.05;

    /// <summary>Whether to also train a logistic-regression baseline to compare against.</summary>
    public bool TrainBaseline { get; init; } = true;

    /// <summary>The params a run records for these settings.</summary>
    public IReadOnlyDictionary<string, string> ToParams() => new Dictionary<string, string>
    {
        ["trainer"] = "FastTreeBinary",
        ["num_leaves"] = NumberOfLeaves.ToString(CultureInfo.InvariantCulture),
        ["min_examples_per_leaf"] = MinimumExampleCountPerLeaf.ToString(CultureInfo.InvariantCulture),
        ["learning_rate"] = LearningRate.ToString(CultureInfo.InvariantCulture),
        ["num_trees"] = TreeCounts[^1].ToString(CultureInfo.InvariantCulture),
        ["tree_counts"] = string.Join(',', TreeCounts),
        ["test_fraction"] = TestFraction.ToString(CultureInfo.InvariantCulture),
        ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
        ["baseline"] = TrainBaseline ? "LbfgsLogisticRegression" : "none",
    };
}
