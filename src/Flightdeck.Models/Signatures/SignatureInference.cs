using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flightdeck.Models;

/// <summary>Signatures from ML.NET schemas: Single→float, Double→double, Int32→integer, Int64→long, Boolean→boolean,
/// Text→string; a schema with a vector column becomes tensor-based (vectors [-1, size], scalars [-1]).</summary>
public static class SignatureInference
{
    private static readonly string[] PredictionColumns = ["PredictedLabel", "Score", "Probability"];

    /// <summary>The signature of <paramref name="model"/> for inputs of <paramref name="inputSchema"/>.</summary>
    public static ModelSignature Infer(ITransformer model, DataViewSchema inputSchema,
        IEnumerable<string>? excludedInputColumns = null, IEnumerable<string>? outputColumns = null)
    {
        var excluded = new HashSet<string>(excludedInputColumns ?? [], StringComparer.Ordinal);
        var inputs = inputSchema.Where(c => !c.IsHidden && !excluded.Contains(c.Name)).ToList();
        if (inputs.Count == 0)
            throw new ModelPackageException("The input schema has no columns left for the signature.");
        DataViewSchema outputSchema;
        try
        {
            outputSchema = model.GetOutputSchema(inputSchema);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new ModelPackageException($"The model does not accept the given input schema: {e.Message}", e);
        }
        var outputs = SelectOutputs(outputSchema, inputSchema, outputColumns?.ToList());
        return new ModelSignature(FromColumns(inputs, strict: true), outputs.Count == 0 ? null : FromColumns(outputs, strict: false));
    }

    /// <summary>The schema of the given ML.NET columns.</summary>
    public static ModelSchema FromDataViewSchema(DataViewSchema schema, IEnumerable<string>? excludedColumns = null)
    {
        var excluded = new HashSet<string>(excludedColumns ?? [], StringComparer.Ordinal);
        return FromColumns([.. schema.Where(c => !c.IsHidden && !excluded.Contains(c.Name))], strict: true);
    }

    /// <summary>The output columns a predictor returns: the named ones, or PredictedLabel/Score/Probability when the
    /// model makes them, or else every supported column the model adds.</summary>
    internal static List<DataViewSchema.Column> SelectOutputs(DataViewSchema outputSchema, DataViewSchema inputSchema,
        IReadOnlyList<string>? requested)
    {
        if (requested is not null)
        {
            return [.. requested.Select(name => outputSchema.GetColumnOrNull(name)
                ?? throw new ModelPackageException($"The model has no output column '{name}'."))];
        }
        var predictions = PredictionColumns.Select(outputSchema.GetColumnOrNull).OfType<DataViewSchema.Column>()
            .Where(c => IsReadable(c.Type)).ToList();
        if (predictions.Count > 0)
            return predictions;
        var inputNames = inputSchema.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return [.. outputSchema.Where(c => !c.IsHidden && !inputNames.Contains(c.Name) && IsReadable(c.Type))];
    }

    internal static bool IsReadable(DataViewType type) => DataViewReader.BatchTypeOf(type) is not null;

    private static ModelSchema FromColumns(IReadOnlyList<DataViewSchema.Column> columns, bool strict)
    {
        var tensorBased = columns.Any(c => c.Type is VectorDataViewType);
        if (tensorBased)
            return ModelSchema.ForTensors(columns.Select(c => ToTensor(c, strict)).OfType<TensorSpec>());
        return ModelSchema.ForColumns(columns.Select(c => ToColumn(c, strict)).OfType<ColumnSpec>());
    }

    private static ColumnSpec? ToColumn(DataViewSchema.Column column, bool strict) => ScalarType(column.Type) switch
    {
        { } type => new ColumnSpec(column.Name, type),
        null when strict => throw Unsupported(column),
        null => null,
    };

    private static TensorSpec? ToTensor(DataViewSchema.Column column, bool strict)
    {
        if (column.Type is VectorDataViewType vector)
        {
            if (vector.ItemType != NumberDataViewType.Single)
                return strict ? throw Unsupported(column) : null;
            return new TensorSpec(column.Name, TensorDTypes.Float32, [-1, vector.IsKnownSize ? vector.Size : -1]);
        }
        var dtype = ScalarType(column.Type) switch
        {
            ColumnType.Float => TensorDTypes.Float32,
            ColumnType.Double => TensorDTypes.Float64,
            ColumnType.Integer => TensorDTypes.Int32,
            ColumnType.Long => TensorDTypes.Int64,
            ColumnType.Boolean => TensorDTypes.Bool,
            ColumnType.String => TensorDTypes.String,
            _ => null,
        };
        return dtype is null ? (strict ? throw Unsupported(column) : null) : new TensorSpec(column.Name, dtype, [-1]);
    }

    internal static ColumnType? ScalarType(DataViewType type)
    {
        if (type == NumberDataViewType.Single) return ColumnType.Float;
        if (type == NumberDataViewType.Double) return ColumnType.Double;
        if (type == NumberDataViewType.Int32) return ColumnType.Integer;
        if (type == NumberDataViewType.Int64 || type == NumberDataViewType.UInt32 || type is KeyDataViewType) return ColumnType.Long;
        if (type == BooleanDataViewType.Instance) return ColumnType.Boolean;
        if (type == TextDataViewType.Instance) return ColumnType.String;
        return null;
    }

    private static ModelPackageException Unsupported(DataViewSchema.Column column) => new(
        $"Input column '{column.Name}' has ML.NET type {column.Type}, which a signature cannot describe " +
        "(supported: Single, Double, Int32, Int64, Boolean, Text and vectors of Single); convert it or exclude it.");
}
