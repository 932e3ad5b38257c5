using System.Globalization;
using System.Runtime.CompilerServices;
using Flightdeck.Client;
using Flightdeck.Contracts;
using Flightdeck.MlNet.Autologging;
using Flightdeck.MlNet.Data;
using Flightdeck.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flightdeck.MlNet;

/// <summary>
/// ML.NET autologging for one run, from <see cref="MlNetRunExtensions.AutologMlNet"/>: fit, evaluate and cross-validate
/// through it and the run records the trainers' hyperparameters, the metrics, the data and the model with no logging calls.
/// </summary>
/// <remarks>
/// <para>
/// Why a wrapper and not a global switch: <c>mlflow.autolog()</c> patches library functions at run time, and ML.NET has no
/// such hooks — <c>IEstimator.Fit</c> and the catalogs' <c>Evaluate</c> are ordinary calls on objects the caller owns, and
/// <c>MLContext.Log</c> only carries text. So the smallest honest API is an object that the fit and evaluation go
/// through: <see cref="FitAsync{TTransformer}"/> in place of <c>estimator.Fit(data)</c>, <see cref="EvaluateBinary"/> and
/// friends in place of <c>mlContext.*.Evaluate</c>, and <see cref="LogMetrics(BinaryClassificationMetrics, string, long?)"/>
/// for metrics computed elsewhere. It subscribes to <c>MLContext.Log</c> only to keep the trainers' messages.
/// </para>
/// <para>
/// A fit logs: every trainer's hyperparameters (see <see cref="EstimatorInspector"/>), the tag <c>mlflow.autologging</c> =
/// <c>mlnet</c>, the training data as a dataset input (context <c>training</c>), <c>training_*</c> metrics, the trainers'
/// messages (<c>mlnet/training_log.txt</c>) and the model package via <see cref="MlNetRunExtensions.LogModelAsync(ActiveRun, ITransformer, IDataView, string, string?, OnnxExport, string, CancellationToken)"/>,
/// registered as a new version when <see cref="MlNetAutologOptions.RegisteredModelName"/> is set (see <see cref="LastLoggedModel"/>).
/// A fit of the same configuration again logs a new model over the previous one at the same artifact path.
/// Params are write-once on the server, so a second fit in the same run whose hyperparameters differ is refused with an
/// <see cref="InvalidOperationException"/> before it trains: use one run per configuration, or fit the variants directly and
/// only evaluate them here (with a <c>step</c>, as a sweep). Evaluation data is logged as a dataset input with context
/// <c>eval</c>; inputs found by the synchronous evaluation calls are sent on the next fit, <see cref="FlushAsync"/> or dispose.
/// </para>
/// </remarks>
public sealed class MlNetAutolog : IAsyncDisposable
{
    /// <summary>The tag MLflow sets on runs its autologging wrote to; the value names the library.</summary>
    public const string AutologgingTag = "mlflow.autologging";

    private const string DefaultLabel = "Label";

    private readonly ActiveRun _run;
    private readonly MLContext _ml;
    private readonly Dictionary<string, string> _params = new(StringComparer.Ordinal);
    private readonly HashSet<string> _loggedDigests = new(StringComparer.Ordinal);
    private readonly List<(DataViewDescription Description, string Context)> _pendingInputs = [];
    private readonly ConditionalWeakTable<IDataView, DataViewDescription> _descriptions = new();
    private readonly TrainerMessageLog? _messages;
    private bool _disposed;

    internal MlNetAutolog(ActiveRun run, MLContext mlContext, MlNetAutologOptions options)
    {
        _run = run;
        _ml = mlContext;
        Options = options;
        _run.SetTag(AutologgingTag, "mlnet");
        if (options.LogTrainerMessages)
        {
            _messages = new TrainerMessageLog(mlContext);
        }
    }

    /// <summary>The run logged to.</summary>
    public ActiveRun Run => _run;

    /// <summary>What is logged.</summary>
    public MlNetAutologOptions Options { get; }

    /// <summary>The model logged by the latest fit (with its registered version, if any); null before a fit or with <c>LogModels</c> off.</summary>
    public LoggedModel? LastLoggedModel { get; private set; }

    /// <summary>Fits <paramref name="estimator"/> on <paramref name="trainData"/> and logs the fit (see the class remarks).</summary>
    /// <exception cref="InvalidOperationException">An earlier fit in this run logged a different value for one of the hyperparameters.</exception>
    public async Task<TTransformer> FitAsync<TTransformer>(
        IEstimator<TTransformer> estimator, IDataView trainData, CancellationToken cancellationToken = default)
        where TTransformer : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(trainData);
        ObjectDisposedException.ThrowIf(_disposed, this);

        var trainers = EstimatorInspector.DescribeTrainers(estimator);
        if (Options.LogHyperparameters)
        {
            LogNewParams(HyperparameterParams(estimator, trainers));
        }

        if (Options.LogDatasets)
        {
            QueueInput(trainData, "training", cancellationToken);
        }

        await SendPendingInputsAsync(cancellationToken);

        cancellationToken.ThrowIfCancellationRequested();
        _messages?.BeginFit(EstimatorInspector.DisplayName(estimator));
        TTransformer model;
        try
        {
            model = estimator.Fit(trainData);
        }
        finally
        {
            _messages?.EndFit();
        }

        var label = trainers.LastOrDefault()?.LabelColumnName ?? DefaultLabel;
        if (Options.LogTrainingMetrics)
        {
            LogTrainingMetrics(model, trainData, label);
        }

        if (_messages is not null)
        {
            await _messages.UploadAsync(_run, cancellationToken);
        }

        if (Options.LogModels)
        {
            LastLoggedModel = await _run.LogModelAsync(model, trainData, Options.ModelArtifactPath, Options.RegisteredModelName,
                Options.ExportOnnx ? OnnxExport.IfSupported : OnnxExport.None, label, cancellationToken);
        }

        await _run.FlushAsync(cancellationToken);
        return model;
    }

    /// <summary>
    /// Scores <paramref name="data"/> with <paramref name="model"/>, evaluates it as binary classification (calibrated metrics
    /// when the model outputs a probability) and logs <c>{prefix}_auc</c>, <c>{prefix}_f1_score</c>, … at <paramref name="step"/>.
    /// </summary>
    public BinaryClassificationMetrics EvaluateBinary(
        ITransformer model, IDataView data, string labelColumnName = DefaultLabel, string prefix = "test", long? step = null)
    {
        var scored = Score(model, data);
        var metrics = EvaluateBinaryScored(scored, labelColumnName);
        LogMetrics(metrics, prefix, step);
        return metrics;
    }

    /// <summary>Evaluates as multiclass classification and logs <c>{prefix}_micro_accuracy</c>, <c>{prefix}_macro_accuracy</c>, ….</summary>
    public MulticlassClassificationMetrics EvaluateMulticlass(
        ITransformer model, IDataView data, string labelColumnName = DefaultLabel, string prefix = "test", long? step = null, int topKPredictionCount = 0)
    {
        var metrics = _ml.MulticlassClassification.Evaluate(Score(model, data), labelColumnName, topKPredictionCount: topKPredictionCount);
        LogMetrics(metrics, prefix, step);
        return metrics;
    }

    /// <summary>Evaluates as regression and logs <c>{prefix}_rmse</c>, <c>{prefix}_r2</c>, ….</summary>
    public RegressionMetrics EvaluateRegression(
        ITransformer model, IDataView data, string labelColumnName = DefaultLabel, string prefix = "test", long? step = null)
    {
        var metrics = _ml.Regression.Evaluate(Score(model, data), labelColumnName);
        LogMetrics(metrics, prefix, step);
        return metrics;
    }

    /// <summary>
    /// ML.NET's binary cross-validation (calibrated trainers), logged: the estimator's hyperparameters, <c>cv_folds</c>,
    /// each fold's metrics as <c>{prefix}_auc</c>… at step = fold index, and <c>{prefix}_auc_mean</c> / <c>_std</c> across folds.
    /// </summary>
    public IReadOnlyList<TrainCatalogBase.CrossValidationResult<CalibratedBinaryClassificationMetrics>> CrossValidateBinary(
        IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5, string labelColumnName = DefaultLabel, string prefix = "cv")
    {
        var results = _ml.BinaryClassification.CrossValidate(data, estimator, numberOfFolds, labelColumnName, seed: null);
        LogCrossValidation(data, estimator, numberOfFolds, prefix, results.Select(r => MetricNames.Binary(r.Metrics, prefix)).ToList());
        return results;
    }

    /// <summary>As <see cref="CrossValidateBinary"/>, for trainers whose model outputs no probability.</summary>
    public IReadOnlyList<TrainCatalogBase.CrossValidationResult<BinaryClassificationMetrics>> CrossValidateBinaryNonCalibrated(
        IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5, string labelColumnName = DefaultLabel, string prefix = "cv")
    {
        var results = _ml.BinaryClassification.CrossValidateNonCalibrated(data, estimator, numberOfFolds, labelColumnName, seed: null);
        LogCrossValidation(data, estimator, numberOfFolds, prefix, results.Select(r => MetricNames.Binary(r.Metrics, prefix)).ToList());
        return results;
    }

    /// <summary>Multiclass cross-validation, logged like <see cref="CrossValidateBinary"/>.</summary>
    public IReadOnlyList<TrainCatalogBase.CrossValidationResult<MulticlassClassificationMetrics>> CrossValidateMulticlass(
        IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5, string labelColumnName = DefaultLabel, string prefix = "cv")
    {
        var results = _ml.MulticlassClassification.CrossValidate(data, estimator, numberOfFolds, labelColumnName, seed: null);
        LogCrossValidation(data, estimator, numberOfFolds, prefix, results.Select(r => MetricNames.Multiclass(r.Metrics, prefix)).ToList());
        return results;
    }

    /// <summary>Regression cross-validation, logged like <see cref="CrossValidateBinary"/>.</summary>
    public IReadOnlyList<TrainCatalogBase.CrossValidationResult<RegressionMetrics>> CrossValidateRegression(
        IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5, string labelColumnName = DefaultLabel, string prefix = "cv")
    {
        var results = _ml.Regression.CrossValidate(data, estimator, numberOfFolds, labelColumnName, seed: null);
        LogCrossValidation(data, estimator, numberOfFolds, prefix, results.Select(r => MetricNames.Regression(r.Metrics, prefix)).ToList());
        return results;
    }

    /// <summary>Logs binary metrics computed elsewhere (e.g. by <c>mlContext.BinaryClassification.Evaluate</c>).</summary>
    public void LogMetrics(BinaryClassificationMetrics metrics, string prefix = "test", long? step = null) =>
        _run.LogMetrics(MetricNames.Binary(metrics, prefix), step);

    /// <summary>Logs multiclass metrics computed elsewhere.</summary>
    public void LogMetrics(MulticlassClassificationMetrics metrics, string prefix = "test", long? step = null) =>
        _run.LogMetrics(MetricNames.Multiclass(metrics, prefix), step);

    /// <summary>Logs regression metrics computed elsewhere.</summary>
    public void LogMetrics(RegressionMetrics metrics, string prefix = "test", long? step = null) =>
        _run.LogMetrics(MetricNames.Regression(metrics, prefix), step);

    /// <summary>Logs clustering metrics computed elsewhere.</summary>
    public void LogMetrics(ClusteringMetrics metrics, string prefix = "test", long? step = null) =>
        _run.LogMetrics(MetricNames.Clustering(metrics, prefix), step);

    /// <summary>Sends the dataset inputs found by evaluations and waits until everything logged has reached the server.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await SendPendingInputsAsync(cancellationToken);
        await _run.FlushAsync(cancellationToken);
    }

    /// <summary>Stops listening to <c>MLContext.Log</c> and sends what is pending; the run itself stays open.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _messages?.Dispose();
        await FlushAsync();
    }

    /// <summary>The describe-once cache, shared with model logging so a fit's data is read once.</summary>
    internal DataViewDescription Describe(IDataView data, CancellationToken cancellationToken) =>
        _descriptions.GetValue(data, d => DataViewDescription.Describe(d, cancellationToken));

    private static IEnumerable<KeyValuePair<string, string>> HyperparameterParams(object estimator, IReadOnlyList<TrainerDescription> trainers)
    {
        var pipeline = string.Join(" | ", EstimatorInspector.Flatten(estimator).Select(EstimatorInspector.DisplayName));
        yield return new("pipeline", pipeline.Length <= 6000 ? pipeline : pipeline[..5997] + "...");
        for (var i = 0; i < trainers.Count; i++)
        {
            // The last trainer makes the predictions: its options are the run's hyperparameters, unprefixed.
            var isLast = i == trainers.Count - 1;
            var prefix = isLast ? "" : trainers[i].Name + ".";
            yield return new(isLast ? "trainer" : prefix + "trainer", trainers[i].Name);
            foreach (var (key, value) in trainers[i].Hyperparameters)
            {
                yield return new(prefix + key, value);
            }
        }
    }

    private void LogNewParams(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var fresh = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in parameters)
        {
            if (_params.TryGetValue(key, out var logged))
            {
                if (!string.Equals(logged, value, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException(
                        $"Run {_run.RunId} already has param '{key}' = '{logged}' from an earlier autologged fit, and params are write-once. "
                        + $"Fit the configuration with '{key}' = '{value}' in its own run, or fit it directly and only evaluate it through autolog.");
                }

                continue;
            }

            fresh.Add(new(key, value));
        }

        foreach (var (key, value) in fresh)
        {
            _params[key] = value;
            _run.LogParam(key, value);
        }
    }

    private void LogTrainingMetrics(ITransformer model, IDataView trainData, string labelColumnName)
    {
        var kind = PredictionKinds.Of(model);
        if (kind == PredictionKind.Unknown)
        {
            return;
        }

        var scored = model.Transform(trainData);
        var metrics = kind switch
        {
            PredictionKind.Binary => MetricNames.Binary(EvaluateBinaryScored(scored, labelColumnName), "training"),
            PredictionKind.Multiclass => MetricNames.Multiclass(_ml.MulticlassClassification.Evaluate(scored, labelColumnName), "training"),
            _ => MetricNames.Regression(_ml.Regression.Evaluate(scored, labelColumnName), "training"),
        };
        _run.LogMetrics(metrics);
    }

    private BinaryClassificationMetrics EvaluateBinaryScored(IDataView scored, string labelColumnName) =>
        scored.Schema.GetColumnOrNull("Probability") is not null
            ? _ml.BinaryClassification.Evaluate(scored, labelColumnName)
            : _ml.BinaryClassification.EvaluateNonCalibrated(scored, labelColumnName);

    private IDataView Score(ITransformer model, IDataView data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Options.LogDatasets)
        {
            QueueInput(data, "eval", CancellationToken.None);
        }

        return model.Transform(data);
    }

    private void LogCrossValidation(
        IDataView data, object estimator, int folds, string prefix, IReadOnlyList<IReadOnlyList<KeyValuePair<string, double>>> perFold)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Options.LogHyperparameters)
        {
            var parameters = HyperparameterParams(estimator, EstimatorInspector.DescribeTrainers(estimator))
                .Append(new("cv_folds", folds.ToString(CultureInfo.InvariantCulture)));
            LogNewParams(parameters);
        }

        if (Options.LogDatasets)
        {
            QueueInput(data, "training", CancellationToken.None);
        }

        for (var fold = 0; fold < perFold.Count; fold++)
        {
            _run.LogMetrics(perFold[fold], fold);
        }

        foreach (var key in perFold.SelectMany(f => f.Select(m => m.Key)).Distinct(StringComparer.Ordinal))
        {
            var values = perFold.SelectMany(f => f).Where(m => m.Key == key).Select(m => m.Value).ToList();
            var mean = values.Average();
            var std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
            _run.LogMetrics([new(key + "_mean", mean), new(key + "_std", std)]);
        }
    }

    private void QueueInput(IDataView data, string context, CancellationToken cancellationToken)
    {
        var description = Describe(data, cancellationToken);
        if (_loggedDigests.Add(description.Digest))
        {
            _pendingInputs.Add((description, context));
        }
    }

    private async Task SendPendingInputsAsync(CancellationToken cancellationToken)
    {
        while (_pendingInputs.Count > 0)
        {
            var (description, context) = _pendingInputs[0];
            var (sourceType, source) = DatasetSources.Describe(Options.DatasetSource);
            var dataset = new Dataset
            {
                Name = Options.DatasetName,
                Digest = description.Digest,
                SourceType = sourceType,
                Source = source,
                Schema = description.Schema,
                Profile = description.Profile,
            };
            await _run.LogInputAsync(dataset, context, cancellationToken: cancellationToken);
            _pendingInputs.RemoveAt(0);
        }
    }
}
