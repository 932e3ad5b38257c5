using Microsoft.ML.Data;

namespace Flightdeck.MlNet.Autologging;

/// <summary>
/// ML.NET's evaluation results as metric keys: <c>{prefix}_{name}</c>, with names in MLflow's snake_case habit.
/// </summary>
/// <remarks>
/// Binary: <c>auc</c>, <c>auc_pr</c>, <c>accuracy</c>, <c>f1_score</c>, <c>precision</c>, <c>recall</c>,
/// <c>negative_precision</c>, <c>negative_recall</c>, and for calibrated models <c>log_loss</c>, <c>log_loss_reduction</c>,
/// <c>entropy</c>. Multiclass: <c>micro_accuracy</c>, <c>macro_accuracy</c>, <c>log_loss</c>, <c>log_loss_reduction</c>,
/// and <c>top_k_accuracy</c> when a top-K count was asked for. Regression: <c>mae</c>, <c>mse</c>, <c>rmse</c>,
/// <c>r2</c>, <c>loss</c>. Clustering: <c>nmi</c>, <c>average_distance</c>, <c>davies_bouldin_index</c>.
/// </remarks>
public static class MetricNames
{
    /// <summary>The keys and values of binary metrics.</summary>
    public static IReadOnlyList<KeyValuePair<string, double>> Binary(BinaryClassificationMetrics metrics, string prefix)
    {
        var values = new List<KeyValuePair<string, double>>
        {
            new(Key(prefix, "auc"), metrics.AreaUnderRocCurve),
            new(Key(prefix, "auc_pr"), metrics.AreaUnderPrecisionRecallCurve),
            new(Key(prefix, "accuracy"), metrics.Accuracy),
            new(Key(prefix, "f1_score"), metrics.F1Score),
            new(Key(prefix, "precision"), metrics.PositivePrecision),
            new(Key(prefix, "recall"), metrics.PositiveRecall),
            new(Key(prefix, "negative_precision"), metrics.NegativePrecision),
            new(Key(prefix, "negative_recall"), metrics.NegativeRecall),
        };
        if (metrics is CalibratedBinaryClassificationMetrics calibrated)
        {
            values.Add(new(Key(prefix, "log_loss"), calibrated.LogLoss));
            values.Add(new(Key(prefix, "log_loss_reduction"), calibrated.LogLossReduction));
            values.Add(new(Key(prefix, "entropy"), calibrated.Entropy));
        }

        return values;
    }

    /// <summary>The keys and values of multiclass metrics.</summary>
    public static IReadOnlyList<KeyValuePair<string, double>> Multiclass(MulticlassClassificationMetrics metrics, string prefix)
    {
        var values = new List<KeyValuePair<string, double>>
        {
            new(Key(prefix, "micro_accuracy"), metrics.MicroAccuracy),
            new(Key(prefix, "macro_accuracy"), metrics.MacroAccuracy),
            new(Key(prefix, "log_loss"), metrics.LogLoss),
            new(Key(prefix, "log_loss_reduction"), metrics.LogLossReduction),
        };
        if (metrics.TopKPredictionCount > 0)
        {
            values.Add(new(Key(prefix, "top_k_accuracy"), metrics.TopKAccuracy));
        }

        return values;
    }

    /// <summary>The keys and values of regression metrics.</summary>
    public static IReadOnlyList<KeyValuePair<string, double>> Regression(RegressionMetrics metrics, string prefix) =>
    [
        new(Key(prefix, "mae"), metrics.MeanAbsoluteError),
        new(Key(prefix, "mse"), metrics.MeanSquaredError),
        new(Key(prefix, "rmse"), metrics.RootMeanSquaredError),
        new(Key(prefix, "r2"), metrics.RSquared),
        new(Key(prefix, "loss"), metrics.LossFunction),
    ];

    /// <summary>The keys and values of clustering metrics.</summary>
    public static IReadOnlyList<KeyValuePair<string, double>> Clustering(ClusteringMetrics metrics, string prefix) =>
    [
        new(Key(prefix, "nmi"), metrics.NormalizedMutualInformation),
        new(Key(prefix, "average_distance"), metrics.AverageDistance),
        new(Key(prefix, "davies_bouldin_index"), metrics.DaviesBouldinIndex),
    ];

    private static string Key(string prefix, string name) => string.IsNullOrEmpty(prefix) ? name : prefix + "_" + name;
}
