namespace Flightdeck.Models;

/// <summary>Checks a batch against a signature's inputs and returns the batch the model gets: exactly the signature's
/// columns, in its order, converted where the conversion is lossless or numeric (integers and doubles to float;
/// an Int64 to Int32 only when the values fit). Anything else is a <see cref="ModelInputException"/> naming the column.</summary>
internal static class InputConformer
{
    public static DataBatch Conform(DataBatch batch, ModelSchema inputs)
    {
        var columns = new List<BatchColumn>(inputs.Columns.Count + inputs.Tensors.Count);
        foreach (var spec in inputs.Columns)
        {
            if (spec.Name is null)
                continue;
            if (!batch.TryGetColumn(spec.Name, out var column))
            {
                if (spec.Required)
                    throw new ModelInputException(spec.Name, $"Missing required input column '{spec.Name}' ({spec.Type.ToWire()}).");
                columns.Add(AllMissing(spec.Name, DataBatchJson.ForColumnType(spec.Type), 1, batch.RowCount));
                continue;
            }
            columns.Add(Convert(column, DataBatchJson.ForColumnType(spec.Type), 1, spec.Required, spec.Type.ToWire()));
        }
        foreach (var spec in inputs.Tensors)
        {
            var name = spec.Name ?? (inputs.Tensors.Count == 1 && batch.Columns.Count == 1 ? batch.Columns[0].Name : null);
            if (name is null || !batch.TryGetColumn(name, out var column))
                throw new ModelInputException(spec.Name, $"Missing input tensor '{spec.Name ?? "(unnamed)"}' ({spec.DType} {spec.ShapeText}).");
            columns.Add(ConvertTensor(column, spec).WithName(spec.Name ?? name));
        }
        if (columns.Count == 0)
            return batch;
        return new DataBatch(columns);
    }

    private static BatchColumn ConvertTensor(BatchColumn column, TensorSpec spec)
    {
        var expected = $"{spec.DType} {spec.ShapeText}";
        if (spec.Shape.Count <= 1 || (spec.ValuesPerRow == 1 && column.Type != BatchColumnType.SingleVector))
        {
            var target = spec.DType switch
            {
                TensorDTypes.Float32 => BatchColumnType.Single,
                TensorDTypes.Float64 => BatchColumnType.Double,
                TensorDTypes.Int32 => BatchColumnType.Int32,
                TensorDTypes.Int64 => BatchColumnType.Int64,
                TensorDTypes.Bool => BatchColumnType.Boolean,
                "str" or "object" => BatchColumnType.String,
                _ => throw new ModelInputException(column.Name, $"Input '{column.Name}': tensor dtype '{spec.DType}' is not supported."),
            };
            if (column.Type == BatchColumnType.SingleVector)
                throw new ModelInputException(column.Name,
                    $"Input '{column.Name}' has {column.VectorSize} values per row but the signature expects shape {spec.ShapeText}.");
            return Convert(column, target, 1, required: true, expected);
        }
        if (spec.DType is not (TensorDTypes.Float32 or TensorDTypes.Float64))
            throw new ModelInputException(column.Name, $"Input '{column.Name}': tensors of {expected} are not supported; only float vectors.");
        var size = spec.ValuesPerRow;
        if (column.Type != BatchColumnType.SingleVector)
        {
            if (size == 1 && IsNumeric(column.Type))
                return BatchColumn.FromVectors(column.Name, ToSingles(column), 1, column.Missing);
            throw new ModelInputException(column.Name,
                $"Input '{column.Name}' has {DataBatchJson.Describe(column.Type)} per row but the signature expects a tensor of {expected}.");
        }
        if (size >= 0 && column.VectorSize != size)
            throw new ModelInputException(column.Name,
                $"Input '{column.Name}' has {column.VectorSize} values per row but the signature expects shape {spec.ShapeText}.");
        if (column.Missing is not null)
            throw NullIn(column, Array.IndexOf(column.Missing, true));
        return column;
    }

    private static BatchColumn Convert(BatchColumn column, BatchColumnType target, int vectorSize, bool required, string expected)
    {
        if (column.Missing is not null)
        {
            var row = Array.IndexOf(column.Missing, true);
            if (required || target is BatchColumnType.Boolean or BatchColumnType.Int32 or BatchColumnType.Int64)
                throw NullIn(column, row);
        }
        if (column.Type == target && column.VectorSize == vectorSize)
            return column;
        switch (target)
        {
            case BatchColumnType.Single when IsNumeric(column.Type):
                return BatchColumn.FromSingles(column.Name, ToSingles(column), column.Missing);
            case BatchColumnType.Double when IsNumeric(column.Type):
                return BatchColumn.FromDoubles(column.Name, ToDoubles(column), column.Missing);
            case BatchColumnType.Int64 when column.Type == BatchColumnType.Int32:
                return BatchColumn.FromInt64s(column.Name, [.. column.GetValues<int>().Select(v => (long)v)], column.Missing);
            case BatchColumnType.Int32 when column.Type == BatchColumnType.Int64:
            {
                var values = column.GetValues<long>();
                var narrowed = new int[values.Length];
                for (var i = 0; i < values.Length; i++)
                {
                    if (values[i] is < int.MinValue or > int.MaxValue)
                        throw new ModelInputException(column.Name,
                            $"Input column '{column.Name}' row {i}: {values[i]} does not fit the signature's type {expected}.");
                    narrowed[i] = (int)values[i];
                }
                return BatchColumn.FromInt32s(column.Name, narrowed, column.Missing);
            }
            default:
                throw new ModelInputException(column.Name,
                    $"Input column '{column.Name}' has {Plural(column)} but the signature expects {expected}.");
        }
    }

    private static string Plural(BatchColumn column) => column.Type switch
    {
        BatchColumnType.Boolean => "boolean values",
        BatchColumnType.Int32 => "integer values",
        BatchColumnType.Int64 => "long values",
        BatchColumnType.Single => "float values",
        BatchColumnType.Double => "double values",
        BatchColumnType.String => "string values",
        _ => $"float vectors of {column.VectorSize}",
    };

    private static ModelInputException NullIn(BatchColumn column, int row) =>
        new(column.Name, $"Input column '{column.Name}' has a null value at row {row}, but the column is required.");

    private static bool IsNumeric(BatchColumnType type) =>
        type is BatchColumnType.Int32 or BatchColumnType.Int64 or BatchColumnType.Single or BatchColumnType.Double;

    private static float[] ToSingles(BatchColumn column) => column.Type switch
    {
        BatchColumnType.Single => column.GetValues<float>(),
        BatchColumnType.Double => [.. column.GetValues<double>().Select(v => (float)v)],
        BatchColumnType.Int32 => [.. column.GetValues<int>().Select(v => (float)v)],
        _ => [.. column.GetValues<long>().Select(v => (float)v)],
    };

    private static double[] ToDoubles(BatchColumn column) => column.Type switch
    {
        BatchColumnType.Double => column.GetValues<double>(),
        BatchColumnType.Single => [.. column.GetValues<float>().Select(v => (double)v)],
        BatchColumnType.Int32 => [.. column.GetValues<int>().Select(v => (double)v)],
        _ => [.. column.GetValues<long>().Select(v => (double)v)],
    };

    private static BatchColumn AllMissing(string name, BatchColumnType type, int vectorSize, int rows)
    {
        var missing = Enumerable.Repeat(true, rows).ToArray();
        return type switch
        {
            BatchColumnType.Single => BatchColumn.FromSingles(name, Enumerable.Repeat(float.NaN, rows).ToArray(), missing),
            BatchColumnType.Double => BatchColumn.FromDoubles(name, Enumerable.Repeat(double.NaN, rows).ToArray(), missing),
            BatchColumnType.String => BatchColumn.FromStrings(name, new string?[rows]),
            BatchColumnType.SingleVector => BatchColumn.FromVectors(name, Enumerable.Repeat(float.NaN, rows * vectorSize).ToArray(), vectorSize, missing),
            _ => throw new ModelInputException(name, $"Input column '{name}' is missing; a {type} column has no missing value to fill in."),
        };
    }
}
