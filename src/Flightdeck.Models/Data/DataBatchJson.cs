using System.Text.Json;

namespace Flightdeck.Models;

/// <summary>Conversions between JSON rows and typed columns.</summary>
internal static class DataBatchJson
{
    public static DataBatch FromSplit(JsonElement split, ModelSchema? schema)
    {
        if (split.ValueKind != JsonValueKind.Object
            || !split.TryGetProperty("columns", out var columnsElement) || columnsElement.ValueKind != JsonValueKind.Array
            || !split.TryGetProperty("data", out var dataElement) || dataElement.ValueKind != JsonValueKind.Array)
            throw new ModelInputException(null, "Split-orient input needs a 'columns' array and a 'data' array.");
        var names = new List<string>();
        foreach (var name in columnsElement.EnumerateArray())
        {
            if (name.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(name.GetString()))
                throw new ModelInputException(null, "Every entry of 'columns' must be a non-empty string.");
            names.Add(name.GetString()!);
        }
        var rows = new List<IReadOnlyList<JsonElement>>();
        foreach (var row in dataElement.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array)
                throw new ModelInputException(null, $"Row {rows.Count} of 'data' must be an array.");
            rows.Add([.. row.EnumerateArray()]);
        }
        return FromRows(names, rows, schema);
    }

    public static DataBatch FromRecords(JsonElement records, ModelSchema? schema)
    {
        if (records.ValueKind != JsonValueKind.Array)
            throw new ModelInputException(null, "Records input must be a JSON array of objects.");
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var record in records.EnumerateArray())
        {
            if (record.ValueKind != JsonValueKind.Object)
                throw new ModelInputException(null, $"Record {index} must be a JSON object.");
            foreach (var property in record.EnumerateObject())
            {
                if (seen.Add(property.Name))
                    names.Add(property.Name);
            }
            index++;
        }
        var rows = new List<IReadOnlyList<JsonElement>>();
        foreach (var record in records.EnumerateArray())
            rows.Add([.. names.Select(n => record.TryGetProperty(n, out var v) ? v : default)]);
        return FromRows(names, rows, schema);
    }

    public static DataBatch FromRows(IReadOnlyList<string> names, IReadOnlyList<IReadOnlyList<JsonElement>> rows, ModelSchema? schema)
    {
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            throw new ModelInputException(names.GroupBy(n => n).First(g => g.Count() > 1).Key, "A column name appears twice.");
        for (var r = 0; r < rows.Count; r++)
        {
            if (rows[r].Count != names.Count)
                throw new ModelInputException(null, $"Row {r} has {rows[r].Count} values but there are {names.Count} columns.");
        }
        var columns = new List<BatchColumn>(names.Count);
        for (var c = 0; c < names.Count; c++)
        {
            var cells = new JsonElement[rows.Count];
            for (var r = 0; r < rows.Count; r++)
                cells[r] = rows[r][c];
            columns.Add(ToColumn(names[c], cells, TargetFor(names[c], schema, cells)));
        }
        return new DataBatch(columns);
    }

    private readonly record struct Target(BatchColumnType Type, int VectorSize);

    private static Target TargetFor(string name, ModelSchema? schema, JsonElement[] cells)
    {
        if (schema is not null)
        {
            var column = schema.Columns.FirstOrDefault(c => c.Name == name);
            if (column is not null)
                return new Target(ForColumnType(column.Type), 1);
            var tensor = schema.Tensors.FirstOrDefault(t => t.Name == name)
                ?? (schema.Tensors.Count == 1 && schema.Tensors[0].Name is null ? schema.Tensors[0] : null);
            if (tensor is not null)
                return ForTensor(name, tensor, cells);
        }
        return Infer(name, cells);
    }

    internal static BatchColumnType ForColumnType(ColumnType type) => type switch
    {
        ColumnType.Boolean => BatchColumnType.Boolean,
        ColumnType.Integer => BatchColumnType.Int32,
        ColumnType.Long => BatchColumnType.Int64,
        ColumnType.Float => BatchColumnType.Single,
        ColumnType.Double => BatchColumnType.Double,
        _ => BatchColumnType.String,
    };

    private static Target ForTensor(string name, TensorSpec tensor, JsonElement[] cells)
    {
        var scalar = tensor.Shape.Count <= 1
            || (tensor.ValuesPerRow == 1 && !cells.Any(c => c.ValueKind == JsonValueKind.Array));
        var scalarType = tensor.DType switch
        {
            TensorDTypes.Float32 => BatchColumnType.Single,
            TensorDTypes.Float64 => BatchColumnType.Double,
            TensorDTypes.Int32 => BatchColumnType.Int32,
            TensorDTypes.Int64 => BatchColumnType.Int64,
            TensorDTypes.Bool => BatchColumnType.Boolean,
            "str" or "object" => BatchColumnType.String,
            _ => throw new ModelInputException(name, $"Column '{name}': tensor dtype '{tensor.DType}' is not supported."),
        };
        if (scalar)
            return new Target(scalarType, 1);
        if (scalarType is not (BatchColumnType.Single or BatchColumnType.Double))
            throw new ModelInputException(name,
                $"Column '{name}': tensors of {tensor.DType} with shape {tensor.ShapeText} are not supported; only float vectors.");
        var size = tensor.ValuesPerRow;
        if (size < 0)
            size = cells.FirstOrDefault(c => c.ValueKind == JsonValueKind.Array) is { ValueKind: JsonValueKind.Array } first
                ? CountLeaves(first)
                : 1;
        return new Target(BatchColumnType.SingleVector, checked((int)size));
    }

    private static Target Infer(string name, JsonElement[] cells)
    {
        BatchColumnType? type = null;
        var vectorSize = 1;
        foreach (var cell in cells)
        {
            BatchColumnType? cellType = cell.ValueKind switch
            {
                JsonValueKind.True or JsonValueKind.False => BatchColumnType.Boolean,
                JsonValueKind.Number => cell.TryGetInt64(out _) ? BatchColumnType.Int64 : BatchColumnType.Double,
                JsonValueKind.String => BatchColumnType.String,
                JsonValueKind.Array => BatchColumnType.SingleVector,
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => throw new ModelInputException(name, $"Column '{name}' has a JSON object value, which is not supported."),
            };
            if (cellType is null)
                continue;
            if (cellType == BatchColumnType.SingleVector)
                vectorSize = CountLeaves(cell);
            if (type is null || type == cellType)
                type = cellType;
            else if (type is BatchColumnType.Int64 or BatchColumnType.Double && cellType is BatchColumnType.Int64 or BatchColumnType.Double)
                type = BatchColumnType.Double;
            else
                throw new ModelInputException(name, $"Column '{name}' mixes {KindName(type.Value)} and {KindName(cellType.Value)} values.");
        }
        return new Target(type ?? BatchColumnType.Double, vectorSize);
    }

    private static int CountLeaves(JsonElement array)
    {
        var count = 0;
        foreach (var item in array.EnumerateArray())
            count += item.ValueKind == JsonValueKind.Array ? CountLeaves(item) : 1;
        return count;
    }

    private static BatchColumn ToColumn(string name, JsonElement[] cells, Target target)
    {
        var n = cells.Length;
        var missing = new bool[n];
        switch (target.Type)
        {
            case BatchColumnType.Boolean:
            {
                var values = new bool[n];
                for (var r = 0; r < n; r++)
                {
                    if (IsNull(cells[r])) { missing[r] = true; continue; }
                    values[r] = cells[r].ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw Mismatch(name, r, cells[r], target.Type),
                    };
                }
                return BatchColumn.FromBooleans(name, values, missing);
            }
            case BatchColumnType.Int32:
            {
                var values = new int[n];
                for (var r = 0; r < n; r++)
                {
                    if (IsNull(cells[r])) { missing[r] = true; continue; }
                    if (cells[r].ValueKind != JsonValueKind.Number || !cells[r].TryGetInt32(out values[r]))
                        throw Mismatch(name, r, cells[r], target.Type);
                }
                return BatchColumn.FromInt32s(name, values, missing);
            }
            case BatchColumnType.Int64:
            {
                var values = new long[n];
                for (var r = 0; r < n; r++)
                {
                    if (IsNull(cells[r])) { missing[r] = true; continue; }
                    if (cells[r].ValueKind != JsonValueKind.Number || !cells[r].TryGetInt64(out values[r]))
                        throw Mismatch(name, r, cells[r], target.Type);
                }
                return BatchColumn.FromInt64s(name, values, missing);
            }
            case BatchColumnType.Single:
            {
                var values = new float[n];
                for (var r = 0; r < n; r++)
                {
                    if (IsNull(cells[r])) { missing[r] = true; values[r] = float.NaN; continue; }
                    values[r] = (float)Number(name, r, cells[r], target.Type);
                }
                return BatchColumn.FromSingles(name, values, missing);
            }
            case BatchColumnType.Double:
            {
                var values = new double[n];
                for (var r = 0; r < n; r++)
                {
                    if (IsNull(cells[r])) { missing[r] = true; values[r] = double.NaN; continue; }
                    values[r] = Number(name, r, cells[r], target.Type);
                }
                return BatchColumn.FromDoubles(name, values, missing);
            }
            case BatchColumnType.String:
            {
                var values = new string?[n];
                for (var r = 0; r < n; r++)
                {
                    if (IsNull(cells[r])) continue;
                    values[r] = cells[r].ValueKind == JsonValueKind.String ? cells[r].GetString() : throw Mismatch(name, r, cells[r], target.Type);
                }
                return BatchColumn.FromStrings(name, values);
            }
            default:
            {
                var size = target.VectorSize;
                var values = new float[n * size];
                for (var r = 0; r < n; r++)
                {
                    if (IsNull(cells[r])) { missing[r] = true; values.AsSpan(r * size, size).Fill(float.NaN); continue; }
                    if (cells[r].ValueKind != JsonValueKind.Array)
                        throw Mismatch(name, r, cells[r], target.Type);
                    var written = 0;
                    FillVector(name, r, cells[r], values.AsSpan(r * size, size), ref written);
                    if (written != size)
                        throw new ModelInputException(name, $"Column '{name}' row {r} has {written} values; expected {size} per row.");
                }
                return BatchColumn.FromVectors(name, values, size, missing);
            }
        }
    }

    private static void FillVector(string name, int row, JsonElement array, Span<float> target, ref int written)
    {
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Array)
            {
                FillVector(name, row, item, target, ref written);
                continue;
            }
            if (item.ValueKind != JsonValueKind.Number)
                throw new ModelInputException(name, $"Column '{name}' row {row} has a non-numeric vector element ({item.ValueKind}).");
            if (written < target.Length)
                target[written] = item.GetSingle();
            written++;
        }
    }

    private static double Number(string name, int row, JsonElement cell, BatchColumnType type) => cell.ValueKind switch
    {
        JsonValueKind.Number => cell.GetDouble(),
        // JSON has no NaN or infinity; MLflow clients send them as strings.
        JsonValueKind.String when cell.GetString() is "NaN" or "nan" => double.NaN,
        JsonValueKind.String when cell.GetString() is "Infinity" or "inf" => double.PositiveInfinity,
        JsonValueKind.String when cell.GetString() is "-Infinity" or "-inf" => double.NegativeInfinity,
        _ => throw Mismatch(name, row, cell, type),
    };

    private static bool IsNull(JsonElement cell) => cell.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    private static ModelInputException Mismatch(string name, int row, JsonElement cell, BatchColumnType type) =>
        new(name, $"Column '{name}' row {row}: {DescribeJson(cell)} is not {Describe(type)}.");

    private static string DescribeJson(JsonElement cell) => cell.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {cell.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    internal static string Describe(BatchColumnType type) => "a " + KindName(type);

    internal static string KindName(BatchColumnType type) => type switch
    {
        BatchColumnType.Boolean => "boolean",
        BatchColumnType.Int32 => "32-bit integer",
        BatchColumnType.Int64 => "64-bit integer",
        BatchColumnType.Single => "float",
        BatchColumnType.Double => "double",
        BatchColumnType.String => "string",
        _ => "float vector",
    };

    public static void WriteSplit(DataBatch batch, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("columns");
        foreach (var column in batch.Columns)
            writer.WriteStringValue(column.Name);
        writer.WriteEndArray();
        writer.WriteStartArray("data");
        for (var r = 0; r < batch.RowCount; r++)
        {
            writer.WriteStartArray();
            foreach (var column in batch.Columns)
                WriteCell(writer, column, r);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void WriteRecords(DataBatch batch, Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        for (var r = 0; r < batch.RowCount; r++)
        {
            writer.WriteStartObject();
            foreach (var column in batch.Columns)
            {
                writer.WritePropertyName(column.Name);
                WriteCell(writer, column, r);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    internal static void WriteCell(Utf8JsonWriter writer, BatchColumn column, int row)
    {
        if (column.IsMissing(row))
        {
            writer.WriteNullValue();
            return;
        }
        switch (column.Type)
        {
            case BatchColumnType.Boolean: writer.WriteBooleanValue(column.GetValues<bool>()[row]); break;
            case BatchColumnType.Int32: writer.WriteNumberValue(column.GetValues<int>()[row]); break;
            case BatchColumnType.Int64: writer.WriteNumberValue(column.GetValues<long>()[row]); break;
            case BatchColumnType.Single: WriteFloat(writer, column.GetValues<float>()[row]); break;
            case BatchColumnType.Double: WriteDouble(writer, column.GetValues<double>()[row]); break;
            case BatchColumnType.String: writer.WriteStringValue(column.GetValues<string?>()[row]); break;
            default:
                writer.WriteStartArray();
                foreach (var value in column.GetValues<float>().AsSpan(row * column.VectorSize, column.VectorSize))
                    WriteFloat(writer, value);
                writer.WriteEndArray();
                break;
        }
    }

    internal static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
            writer.WriteNumberValue(value);
        else
            writer.WriteStringValue(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
            writer.WriteNumberValue(value);
        else
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }

    public static BatchColumn Head(BatchColumn column, int count)
    {
        var missing = column.Missing?[..count];
        return column.Type switch
        {
            BatchColumnType.Boolean => BatchColumn.FromBooleans(column.Name, column.GetValues<bool>()[..count], missing),
            BatchColumnType.Int32 => BatchColumn.FromInt32s(column.Name, column.GetValues<int>()[..count], missing),
            BatchColumnType.Int64 => BatchColumn.FromInt64s(column.Name, column.GetValues<long>()[..count], missing),
            BatchColumnType.Single => BatchColumn.FromSingles(column.Name, column.GetValues<float>()[..count], missing),
            BatchColumnType.Double => BatchColumn.FromDoubles(column.Name, column.GetValues<double>()[..count], missing),
            BatchColumnType.String => BatchColumn.FromStrings(column.Name, column.GetValues<string?>()[..count]),
            _ => BatchColumn.FromVectors(column.Name, column.GetValues<float>()[..(count * column.VectorSize)], column.VectorSize, missing),
        };
    }
}
