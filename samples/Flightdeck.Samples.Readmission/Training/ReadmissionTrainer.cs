using Flightdeck.Samples.Readmission.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Flightdeck.Samples.Readmission.Training;

/// <summary>What training produced: the sweep's steps, the final model's scores, the optional baseline, the saved model.</summary>
public sealed record TrainingResult(
    IReadOnlyList<TrainingStep> Steps, EvaluationScores Final, EvaluationScores? Baseline, int TrainRows, int TestRows, string ModelPath);

/// <summary>
/// Trains FastTree binary classifiers on the readmission CSV. The feature pipeline is fitted once on the training split;
/// then one model per tree count is fitted and scored by ML.NET's binary-classification evaluator on both splits, so each
/// step's metrics are real held-out numbers. The last (largest) model, with its feature pipeline, is saved as a zip.
/// </summary>
public sealed class ReadmissionTrainer(TrainingSettings settings)
{
    private const string Label = "readmitted";
    private const string Features = "Features";

    public TrainingResult Train(string csvPath, string modelPath, Action<TrainingStep>? onStep = null, CancellationToken cancellationToken = default)
    {
        var ml = new MLContext(settings.Seed);
        var loader = ml.Data.CreateTextLoader<PatientRecord>(new TextLoader.Options
        {
            HasHeader = true,
            Separators = [','],
            MissingRealsAsNaNs = true,
        });
        var data = loader.Load(csvPath);
        var split = ml.Data.TrainTestSplit(data, settings.TestFraction, seed: settings.Seed);

        // Cache the split's rows: each step re-reads the training data many times.
        var featurizer = BuildFeaturizer(ml).Fit(split.TrainSet);
        var train = ml.Data.Cache(featurizer.Transform(split.TrainSet));
        var test = ml.Data.Cache(featurizer.Transform(split.TestSet));

        var steps = new List<TrainingStep>();
        ITransformer? lastModel = null;
        foreach (var trees in settings.TreeCounts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var model = BuildFastTree(ml, trees).Fit(train);
            var step = new TrainingStep(trees, Evaluate(ml, model, train), Evaluate(ml, model, test));
            steps.Add(step);
            onStep?.Invoke(step);
            lastModel = model;
        }

        if (lastModel is null)
        {
            throw new ArgumentException("The sweep needs at least one tree count.", nameof(settings));
        }

        cancellationToken.ThrowIfCancellationRequested();
        EvaluationScores? baseline = settings.TrainBaseline ? Evaluate(ml, BuildBaseline(ml).Fit(train), test) : null;

        var folder = Path.GetDirectoryName(Path.GetFullPath(modelPath));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        var scoringModel = featurizer.Append(lastModel);
        ml.Model.Save(scoringModel, data.Schema, modelPath);

        return new TrainingResult(steps, steps[^1].Validation, baseline, CountRows(train), CountRows(test), modelPath);
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

    private static EvaluationScores Evaluate(MLContext ml, ITransformer model, IDataView data) =>
        EvaluationScores.From(ml.BinaryClassification.Evaluate(model.Transform(data), Label));

    private static int CountRows(IDataView data)
    {
        var rows = data.GetRowCount();
        if (rows is { } known)
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
