using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Flightdeck.Models;

/// <summary>Predicts with one shared ONNX Runtime session (Run is thread-safe). Each graph input is fed from the
/// column of the same name: an [N, k] tensor from a vector column or, for k = 1, from a scalar column, which is how
/// ML.NET exports models (one [N, 1] input per column). Graph inputs the batch lacks (an exported label) get default
/// values. Outputs are named without ML.NET's ".output" suffix.</summary>
internal sealed class OnnxPredictor : IPredictor
{
    private const string MlNetOutputSuffix = ".output";
    private static readonly string[] PredictionColumns = ["PredictedLabel", "Score", "Probability"];

    private readonly InferenceSession _session;
    private readonly string[] _outputNames;

    public OnnxPredictor(ModelPackage package, InferenceSession session)
    {
        Package = package;
        _session = session;
        foreach (var (name, input) in session.InputMetadata)
        {
            if (!input.IsTensor || DTypeOf(input.ElementType) is null)
                throw new ModelPackageException($"ONNX input '{name}' is not a tensor of a supported type ({input.ElementType.Name}).");
        }
        _outputNames = SelectOutputs(package.Signature?.Outputs, session.OutputMetadata);
        Signature = new ModelSignature(package.Signature?.Inputs ?? SchemaOf(session.InputMetadata),
            package.Signature?.Outputs);
    }

    public string Flavor => ModelFlavors.Onnx;

    public ModelPackage Package { get; }

    public ModelSignature Signature { get; }

    public DataBatch Predict(DataBatch input)
    {
        var conformed = InputConformer.Conform(input, Signature.Inputs);
        var rows = conformed.RowCount;
        var inputs = new List<NamedOnnxValue>(_session.InputMetadata.Count);
        foreach (var (name, metadata) in _session.InputMetadata)
        {
            conformed.TryGetColumn(name, out var column);
            inputs.Add(ToInput(name, metadata, column, rows));
        }
        using var results = _session.Run(inputs, _outputNames);
        return new DataBatch(results.Select(r => ToColumn(r, rows)));
    }

    public void Dispose() => _session.Dispose();

    private static string[] SelectOutputs(ModelSchema? signatureOutputs, IReadOnlyDictionary<string, NodeMetadata> outputs)
    {
        string? Find(string name) =>
            outputs.ContainsKey(name) ? name : outputs.ContainsKey(name + MlNetOutputSuffix) ? name + MlNetOutputSuffix : null;
        var tensors = outputs.Where(o => o.Value.IsTensor).Select(o => o.Key).ToList();
        if (signatureOutputs?.Names.Select(Find).OfType<string>().ToList() is { Count: > 0 } named)
            return [.. named];
        if (PredictionColumns.Select(Find).OfType<string>().ToList() is { Count: > 0 } predictions)
            return [.. predictions];
        return tensors.Count > 0 ? [.. tensors] : throw new ModelPackageException("The ONNX model has no tensor outputs.");
    }

    /// <summary>The tensor schema of a graph's inputs or outputs; every node must be a tensor of a supported type.</summary>
    internal static ModelSchema SchemaOf(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
        ModelSchema.ForTensors(nodes.Select(n => new TensorSpec(n.Key,
            n.Value.IsTensor && DTypeOf(n.Value.ElementType) is { } dtype
                ? dtype
                : throw new ModelPackageException($"ONNX node '{n.Key}' is not a tensor of a supported type."),
            [.. n.Value.Dimensions.Select((d, index) => index == 0 || d < 0 ? -1L : d)])));

    private static string? DTypeOf(Type elementType) =>
        elementType == typeof(float) ? TensorDTypes.Float32
        : elementType == typeof(double) ? TensorDTypes.Float64
        : elementType == typeof(int) ? TensorDTypes.Int32
        : elementType == typeof(long) ? TensorDTypes.Int64
        : elementType == typeof(bool) ? TensorDTypes.Bool
        : elementType == typeof(string) ? TensorDTypes.String
        : null;

    private static NamedOnnxValue ToInput(string name, NodeMetadata metadata, BatchColumn? column, int rows)
    {
        var width = column?.VectorSize ?? 1;
        var dimensions = metadata.Dimensions.Length == 0 ? [rows] : metadata.Dimensions.ToArray();
        dimensions[0] = rows;
        var known = 1;
        for (var i = 1; i < dimensions.Length; i++)
        {
            if (dimensions[i] < 0)
                dimensions[i] = Math.Max(width / Math.Max(known, 1), 1);
            known *= dimensions[i];
        }
        var type = metadata.ElementType;
        if (type == typeof(float))
            return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(Singles(column, rows * known), dimensions));
        if (type == typeof(double))
            return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<double>(Doubles(column, rows * known), dimensions));
        if (type == typeof(int))
            return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<int>(
                column is null ? new int[rows * known] : Typed<int>(column, rows * known), dimensions));
        if (type == typeof(long))
            return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(
                column is null ? new long[rows * known] : Typed<long>(column, rows * known), dimensions));
        if (type == typeof(bool))
            return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<bool>(
                column is null ? new bool[rows * known] : Typed<bool>(column, rows * known), dimensions));
        var strings = column is null
            ? Enumerable.Repeat("", rows * known).ToArray()
            : [.. Typed<string?>(column, rows * known).Select(s => s ?? "")];
        return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(strings, dimensions));
    }

    private static T[] Typed<T>(BatchColumn column, int length)
    {
        var values = column.RawValues as T[] ?? throw new ModelInputException(column.Name,
            $"Input '{column.Name}' has {column.Type} values; the ONNX graph expects {typeof(T).Name}.");
        return values.Length == length ? values : throw new ModelInputException(column.Name,
            $"Input '{column.Name}' has {values.Length} values; the ONNX graph expects {length}.");
    }

    private static float[] Singles(BatchColumn? column, int length) => column?.Type switch
    {
        null => new float[length],
        BatchColumnType.Single or BatchColumnType.SingleVector => Typed<float>(column, length),
        BatchColumnType.Double => [.. column.GetValues<double>().Select(v => (float)v)],
        BatchColumnType.Int32 => [.. column.GetValues<int>().Select(v => (float)v)],
        BatchColumnType.Int64 => [.. column.GetValues<long>().Select(v => (float)v)],
        _ => throw new ModelInputException(column.Name, $"Input '{column.Name}' has {column.Type} values; the ONNX graph expects floats."),
    };

    private static double[] Doubles(BatchColumn? column, int length) => column?.Type switch
    {
        null => new double[length],
        BatchColumnType.Double => Typed<double>(column, length),
        BatchColumnType.Single or BatchColumnType.SingleVector => [.. column.GetValues<float>().Select(v => (double)v)],
        BatchColumnType.Int32 => [.. column.GetValues<int>().Select(v => (double)v)],
        BatchColumnType.Int64 => [.. column.GetValues<long>().Select(v => (double)v)],
        _ => throw new ModelInputException(column.Name, $"Input '{column.Name}' has {column.Type} values; the ONNX graph expects doubles."),
    };

    private static BatchColumn ToColumn(DisposableNamedOnnxValue result, int rows)
    {
        var name = result.Name.EndsWith(MlNetOutputSuffix, StringComparison.Ordinal)
            ? result.Name[..^MlNetOutputSuffix.Length]
            : result.Name;
        return result.Value switch
        {
            Tensor<float> t => FloatColumn(name, t.ToArray(), rows),
            Tensor<double> t => t.Length == rows ? BatchColumn.FromDoubles(name, t.ToArray()) : FloatColumn(name, [.. t.Select(v => (float)v)], rows),
            Tensor<int> t when t.Length == rows => BatchColumn.FromInt32s(name, t.ToArray()),
            Tensor<long> t when t.Length == rows => BatchColumn.FromInt64s(name, t.ToArray()),
            Tensor<bool> t when t.Length == rows => BatchColumn.FromBooleans(name, t.ToArray()),
            Tensor<string> t when t.Length == rows => BatchColumn.FromStrings(name, t.ToArray()),
            _ => throw new ModelPackageException($"ONNX output '{result.Name}' has a type or shape Flightdeck cannot return."),
        };
    }

    private static BatchColumn FloatColumn(string name, float[] values, int rows) =>
        values.Length == rows || rows == 0
            ? BatchColumn.FromSingles(name, values)
            : BatchColumn.FromVectors(name, values, values.Length / rows);
}
