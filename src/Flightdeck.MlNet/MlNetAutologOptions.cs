namespace Flightdeck.MlNet;

/// <summary>What <see cref="MlNetAutolog"/> records; every switch is on by default, as with <c>mlflow.autolog()</c>.</summary>
public sealed record MlNetAutologOptions
{
    /// <summary>The name the training and evaluation data are logged under (MLflow's dataset name).</summary>
    public string DatasetName { get; init; } = "dataset";

    /// <summary>
    /// Where the data came from: a local path or a URI (<c>s3://…</c>, <c>https://…</c>). Recorded as the dataset's source;
    /// when null the source is the code that built the <c>IDataView</c> (MLflow's <c>code</c> source type).
    /// </summary>
    public string? DatasetSource { get; init; }

    /// <summary>Log the trainers' hyperparameters as params.</summary>
    public bool LogHyperparameters { get; init; } = true;

    /// <summary>Log the training data (and evaluation data) as dataset inputs with digest, schema and profile.</summary>
    public bool LogDatasets { get; init; } = true;

    /// <summary>After a fit, evaluate the model on its training data and log <c>training_*</c> metrics (classification and regression).</summary>
    public bool LogTrainingMetrics { get; init; } = true;

    /// <summary>Log the fitted model as an MLmodel package under <see cref="ModelArtifactPath"/>.</summary>
    public bool LogModels { get; init; } = true;

    /// <summary>Artifact folder of the logged model.</summary>
    public string ModelArtifactPath { get; init; } = "model";

    /// <summary>When set, each logged model is also registered as a new version of this registered model.</summary>
    public string? RegisteredModelName { get; init; }

    /// <summary>Also export the logged model to ONNX (an <c>onnx</c> flavor next to <c>mlnet</c>) where ML.NET can convert it.</summary>
    public bool ExportOnnx { get; init; }

    /// <summary>Capture the trainers' informational messages and warnings (<c>MLContext.Log</c>) during fits, as <c>mlnet/training_log.txt</c>.</summary>
    public bool LogTrainerMessages { get; init; } = true;
}
