namespace Flightdeck.Samples.Readmission.Training;

/// <summary>Hyperparameters of the boosted-trees model and of the tree-count sweep that gives the per-step metrics.</summary>
public sealed record TrainingSettings
{
    public int Seed { get; init; } = 42;

    /// <summary>Share of rows held out for the final evaluation.</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Share of the training rows the sweep scores its steps on.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Tree counts trained in turn, each evaluated on the held-out rows (the "steps" of the run).</summary>
    public IReadOnlyList<int> TreeCounts { get; init; } = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

    public int NumberOfLeaves { get; init; } = 8;

    public int MinimumExampleCountPerLeaf { get; init; } = 50;

    public double LearningRate { get; init; } = 0.05;

    /// <summary>Whether to also train a logistic-regression baseline to compare against.</summary>
    public bool TrainBaseline { get; init; } = true;
}
