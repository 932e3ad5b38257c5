using Microsoft.ML;

namespace Flightdeck.Models;

/// <summary>Predicts with an ML.NET transformer: the checked batch becomes a <see cref="BatchDataView"/>, goes
/// through <c>Transform</c>, and the output columns are read back into arrays. A transformer is immutable once
/// trained and each call builds its own view and cursor, so concurrent calls share nothing mutable.</summary>
internal sealed class MlNetPredictor : IPredictor
{
    private readonly ITransformer _model;
    private readonly DataViewSchema _modelInputSchema;
    private readonly string[] _outputNames;

    public MlNetPredictor(ModelPackage package, ITransformer model, DataViewSchema modelInputSchema)
    {
        Package = package;
        _model = model;
        _modelInputSchema = modelInputSchema;
        var outputSchema = model.GetOutputSchema(modelInputSchema);
        var requested = package.Signature?.Outputs?.Names.ToList() is { Count: > 0 } names
            ? names.Where(n => outputSchema.GetColumnOrNull(n) is { } c && SignatureInference.IsReadable(c.Type)).ToList()
            : null;
        var outputs = SignatureInference.SelectOutputs(outputSchema, modelInputSchema, requested);
        _outputNames = [.. outputs.Select(c => c.Name)];
        var inputs = package.Signature?.Inputs ?? SignatureInference.FromDataViewSchema(modelInputSchema, ["Label"]);
        Signature = new ModelSignature(inputs, package.Signature?.Outputs
            ?? (outputs.Count == 0 ? null : SignatureInference.Infer(model, modelInputSchema, ["Label"], _outputNames).Outputs));
    }

    public string Flavor => ModelFlavors.MlNet;

    public ModelPackage Package { get; }

    public ModelSignature Signature { get; }

    public DataBatch Predict(DataBatch input)
    {
        var conformed = InputConformer.Conform(input, Signature.Inputs);
        IDataView scored;
        try
        {
            scored = _model.Transform(new BatchDataView(conformed, _modelInputSchema));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new ModelInputException(null, $"The model rejected the input: {e.Message}", e);
        }
        return DataViewReader.Read(scored, _outputNames, capacity: conformed.RowCount);
    }

    public void Dispose() => (_model as IDisposable)?.Dispose();
}
