using Microsoft.ML.Data;

namespace Flightdeck.Samples.Readmission.Training;

/// <summary>The evaluator's headline numbers for one model on one split (the run gets all of them through autologging).</summary>
public sealed record EvaluationScores(double Auc, double AucPr, double LogLoss, double F1, double Accuracy)
{
    /// <summary>Log loss is NaN for a model that outputs no probability.</summary>
    public static EvaluationScores From(BinaryClassificationMetrics metrics) => new(
        metrics.AreaUnderRocCurve, metrics.AreaUnderPrecisionRecallCurve, (metrics as CalibratedBinaryClassificationMetrics)?.LogLoss ?? double.NaN,
        metrics.F1Score, metrics.Accuracy);
}

/// <summary>One step of the tree-count sweep: the model with <paramref name="Trees"/> trees, scored on both splits.</summary>
public sealed record TrainingStep(int Trees, EvaluationScores Train, EvaluationScores Validation);
