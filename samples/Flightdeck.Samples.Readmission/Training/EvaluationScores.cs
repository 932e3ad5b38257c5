using Microsoft.ML.Data;

namespace Flightdeck.Samples.Readmission.Training;

/// <summary>The evaluator's numbers for one model on one split, named as they are logged.</summary>
public sealed record EvaluationScores(double Auc, double AucPr, double LogLoss, double F1, double Accuracy)
{
    public static EvaluationScores From(CalibratedBinaryClassificationMetrics metrics) => new(
        metrics.AreaUnderRocCurve, metrics.AreaUnderPrecisionRecallCurve, metrics.LogLoss, metrics.F1Score, metrics.Accuracy);

    /// <summary>Metric keys and values with a prefix such as "val_" or "baseline_val_".</summary>
    public IEnumerable<KeyValuePair<string, double>> AsMetrics(string prefix) =>
    [
        new(prefix + "auc", Auc),
        new(prefix + "auc_pr", AucPr),
        new(prefix + "log_loss", LogLoss),
        new(prefix + "f1", F1),
        new(prefix + "accuracy", Accuracy),
    ];
}

/// <summary>One step of the tree-count sweep: the model with <paramref name="Trees"/> trees, scored on both splits.</summary>
public sealed record TrainingStep(int Trees, EvaluationScores Train, EvaluationScores Validation)
{
    public IEnumerable<KeyValuePair<string, double>> AsMetrics() =>
        Validation.AsMetrics("val_").Append(new("train_log_loss", Train.LogLoss)).Append(new("train_auc", Train.Auc));
}
