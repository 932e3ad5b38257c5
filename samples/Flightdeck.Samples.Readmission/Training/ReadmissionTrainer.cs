using Flightdeck.MlNet;
using Flightdeck.Samples.Readmission.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Flightdeck.Samples.Readmission.Training;

/// <summary>What training produced: the sweep's steps, the chosen tree count, the final model's held-out scores, the baseline.</summary>
public sealed record TrainingResult(
    IReadOnlyList<TrainingStep> Steps, int BestTrees, EvaluationScores Test, EvaluationScores? Baseline, int TrainRows, int TestRows,
    ITransformer Model, LoggedModel? LoggedModel);

/// <summary>
/// Trains FastTree binary classifiers on the readmission CSV, with every number logged by ML.NET autologging. The rows are
/// split into train and test; a tree-count sweep fits on part of the training rows and is scored on the rest (the
/// validation rows), one step per tree count. The best count is then fitted on all training rows through
/// <see cref="MlNetAutolog.FitAsync{TTransformer}"/>, which logs its hyperparameters, the training data and the model,
/// and scored once on the untouched test rows.
/// </summary>
public sealed class ReadmissionTrainer(TrainingSettings settings)
{
    public const string Label = "readmitted";
    private const string Features = "Features";

    public async Task<TrainingResult> TrainAsync(
        string csvPath, MlNetAutolog autolog, MLContext ml, Action<TrainingStep>? onStep = null, CancellationToken cancellationToken = default)
    {
        var data = ml.Data.CreateTextLoader<PatientRecord>(new TextLoader.Options
        {
            HasHeader = true,
            Separators = [','],
            MissingRealsAsNaNs = true,
        }).Load(csvPath);
        var split = ml.Data.TrainTestSplit(data, settings.TestFraction, seed: settings.Seed);
        var sweepSplit = ml.Data.TrainTestSplit(split.TrainSet, settings.ValidationFraction, seed: settings.Seed);

        // The sweep's variants differ in a hyperparameter, so they are fitted directly (params are write-once per run) and
        // only their scores go through autolog, one step per tree count. The featurizer is fitted once and its output cached.
        var featurizer = BuildFeaturizer(ml).Fit(sweepSplit.TrainSet);
        var sweepTrain = ml.Data.Cache(featurizer.Transform(sweepSplit.TrainSet));
        var steps = new List<TrainingStep>();
        foreach (var trees in settings.TreeCounts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var candidate = featurizer.Append(BuildFastTree(ml, trees).Fit(sweepTrain));
            var train = ml.BinaryClassification.Evaluate(candidate.Transform(sweepSplit.TrainSet), Label);
            autolog.LogMetrics(train, "train", trees);
            var validation = autolog.EvaluateBinary(candidate, sweepSplit.TestSet, Label, "val", trees);
            var step = new TrainingStep(trees, EvaluationScores.From(train), EvaluationScores.From(validation));
            steps.Add(step);
            onStep?.Invoke(step);
        }

        if (steps.Count == 0)
        {
            throw new ArgumentException("The sweep needs at least one tree count.", nameof(settings));
        }

        var best = steps.MaxBy(s => s.Validation.Auc)!.Trees;
        cancellationToken.ThrowIfCancellationRequested();
        var model = await autolog.FitAsync(BuildFeaturizer(ml).Append(BuildFastTree(ml, best)), split.TrainSet, cancellationToken);
        var test = EvaluationScores.From(autolog.EvaluateBinary(model, split.TestSet, Label, "test"));

        EvaluationScores? baseline = null;
        if (settings.TrainBaseline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var logistic = BuildFeaturizer(ml).Append(BuildBaseline(ml)).Fit(split.TrainSet);
            baseline = EvaluationScores.From(autolog.EvaluateBinary(logistic, split.TestSet, Label, "baseline_test"));
        }

        await autolog.FlushAsync(cancellationToken);
        return new TrainingResult(steps, best, test, baseline, CountRows(split.TrainSet), CountRows(split.TestSet), model, autolog.LastLoggedModel);
    }

    private static IEstimator<ITransformer> BuildFeaturizer(MLContext ml) =>
        ml.Transforms.Categorical.OneHotEncoding("discharge_type_onehot", "discharge_type")
            .Append(ml.Transforms.IndicateMissingValues("hba1c_missing_flag", "hba1c"))
            .Append(ml.Transforms.Conversion.ConvertType("hba1c_missing", "hba1c_missing_flag", DataKind.Single))
            .Append(ml.Transforms.ReplaceMissingValues("hba1c_filled", "hba1c",
                Microsoft.ML.Transforms.MissingValueReplacingEstimator.ReplacementMode.Mean))
            .Append(ml.Transforms.Concatenate(Features,
                "age", "length_of_stay", "prior_admissions", "medication_count", "hba1c_filled", "hba1c_missing", "discharge_type_onehot"));

    private IEstimator<ITransformer> BuildFastTree(MLContext ml, int trees) =>
        ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = Label,
            FeatureColumnName = Features,
            NumberOfTrees = trees,
            NumberOfLeaves = settings.NumberOfLeaves,
            MinimumExampleCountPerLeaf = settings.MinimumExampleCountPerLeaf,
            LearningRate = settings.LearningRate,
            Seed = settings.Seed,
            // One thread keeps the sweep reproducible for a given seed.
            NumberOfThreads = 1,
        });

    private static IEstimator<ITransformer> BuildBaseline(MLContext ml) =>
        ml.Transforms.NormalizeMeanVariance(Features)
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(Label, Features));

    private static int CountRows(IDataView data)
    {
        if (data.GetRowCount() is { } known)
        {
            return (int)known;
        }

        using var cursor = data.GetRowCursor([]);
        var count = 0;
        while (cursor.MoveNext())
        {
            count++;
        }

        return count;
    }
}
