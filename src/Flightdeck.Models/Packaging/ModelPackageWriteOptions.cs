namespace Flightdeck.Models;

public enum OnnxExport
{
    /// <summary>Write the mlnet flavor only.</summary>
    None,

    /// <summary>Also write the onnx flavor when ML.NET can convert every transformer; skip it silently otherwise.</summary>
    IfSupported,

    /// <summary>Also write the onnx flavor; a model ML.NET cannot convert is a <see cref="ModelPackageException"/>.</summary>
    Required,
}

public sealed record ModelPackageWriteOptions
{
    public string? RunId { get; init; }

    /// <summary>The package's path under the run's artifacts (MLflow's artifact_path), e.g. "model".</summary>
    public string? ArtifactPath { get; init; }

    /// <summary>The input example to save; when null and the writer is given data, its first
    /// <see cref="InputExampleRows"/> rows are used. Pass <see cref="InputExampleRows"/> = 0 for none.</summary>
    public DataBatch? InputExample { get; init; }

    public int InputExampleRows { get; init; } = 5;

    /// <summary>Input columns left out of the signature and the example: the label, which a scoring pipeline does not
    /// read. Columns of the model's input schema that a request does not carry are filled with default values.</summary>
    public IReadOnlyList<string> ExcludedInputColumns { get; init; } = ["Label"];

    /// <summary>The model's output columns that predictions return; null picks PredictedLabel, Score and Probability
    /// when present, otherwise every column the model adds.</summary>
    public IReadOnlyList<string>? OutputColumns { get; init; }

    public OnnxExport OnnxExport { get; init; } = OnnxExport.None;

    public int OnnxOpsetVersion { get; init; } = 12;
}
