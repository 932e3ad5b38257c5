using System.Text.Json;
using Flightdeck.Models;

namespace Flightdeck.Serving;

/// <summary>A parsed Open Inference Protocol v2 infer request.</summary>
public sealed record InferRequest(string? Id, DataBatch Inputs, IReadOnlyList<string>? Outputs);

/// <summary>The Open Inference Protocol (KServe v2) REST shapes: infer requests and responses, model metadata.
/// Tensors map to batch columns: shape [N] or [N, 1] is a scalar column of N rows, [N, k] a float vector column.</summary>
internal static class OpenInference
{
    public static InferRequest ParseInfer(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
            throw ServingRequestException.BadRequest("The infer request must be a JSON object with an 'inputs' array.");
        string? id = null;
        if (body.TryGetProperty("id", out var idElement))
            id = idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : throw ServingRequestException.BadRequest("'id' must be a string.");
        if (!body.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array || inputs.GetArrayLength() == 0)
            throw ServingRequestException.BadRequest("The infer request needs a non-empty 'inputs' array.");
        var columns = new List<BatchColumn>();
        foreach (var input in inputs.EnumerateArray())
            columns.Add(ToColumn(input));
        if (columns.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ModelInputException(twice.Key, $"Input '{twice.Key}' appears twice.");
        if (columns.FirstOrDefault(c => c.RowCount != columns[0].RowCount) is { } uneven)
            throw new ModelInputException(uneven.Name,
                $"Input '{uneven.Name}' has {uneven.RowCount} rows (its first dimension) but '{columns[0].Name}' has {columns[0].RowCount}.");
        List<string>? outputs = null;
        if (body.TryGetProperty("outputs", out var requested) && requested.ValueKind != JsonValueKind.Null)
        {
            if (requested.ValueKind != JsonValueKind.Array)
                throw ServingRequestException.BadRequest("'outputs' must be an array of {\"name\": ...} objects.");
            outputs = [];
            foreach (var output in requested.EnumerateArray())
            {
                if (output.ValueKind != JsonValueKind.Object || !output.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                    throw ServingRequestException.BadRequest("Every entry of 'outputs' needs a string 'name'.");
                outputs.Add(name.GetString()!);
            }
        }
        return new InferRequest(id, new DataBatch(columns), outputs);
    }

    private static BatchColumn ToColumn(JsonElement input)
    {
        if (input.ValueKind != JsonValueKind.Object || !input.TryGetProperty("name", out var nameElement)
            || nameElement.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(nameElement.GetString()))
            throw ServingRequestException.BadRequest("Every input needs a non-empty string 'name'.");
        var name = nameElement.GetString()!;
        if (!input.TryGetProperty("datatype", out var datatypeElement) || datatypeElement.ValueKind != JsonValueKind.String)
            throw new ModelInputException(name, $"Input '{name}' needs a string 'datatype' (e.g. FP32, INT64, BYTES).");
        var datatype = datatypeElement.GetString()!;
        var shape = ReadShape(name, input);
        if (!input.TryGetProperty("data", out var data))
            throw new ModelInputException(name, $"Input '{name}' has no 'data'.");
        var values = new List<JsonElement>();
        Flatten(data, values);
        var rows = shape.Length == 0 ? 1 : shape[0];
        long width = 1;
        for (var i = 1; i < shape.Length; i++)
            width *= shape[i];
        if (values.Count != rows * width)
            throw new ModelInputException(name,
                $"Input '{name}' has {values.Count} values but its shape [{string.Join(", ", shape)}] needs {rows * width}.");
        if (width != 1)
        {
            if (datatype is not ("FP16" or "FP32" or "FP64"))
                throw new ModelInputException(name,
                    $"Input '{name}': only floating-point tensors can have more than one value per row, not {datatype}.");
            return BatchColumn.FromVectors(name, [.. values.Select((v, i) => (float)Number(name, v, i, datatype))], checked((int)width));
        }
        return datatype switch
        {
            "BOOL" => BatchColumn.FromBooleans(name, [.. values.Select((v, i) => v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Mismatch(name, i, v, datatype),
            })]),
            "INT8" or "INT16" or "INT32" or "UINT8" or "UINT16" => BatchColumn.FromInt32s(name,
                [.. values.Select((v, i) => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var x) ? x : throw Mismatch(name, i, v, datatype))]),
            "INT64" or "UINT32" or "UINT64" => BatchColumn.FromInt64s(name,
                [.. values.Select((v, i) => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var x) ? x : throw Mismatch(name, i, v, datatype))]),
            "FP16" or "FP32" => BatchColumn.FromSingles(name, [.. values.Select((v, i) => (float)Number(name, v, i, datatype))]),
            "FP64" => BatchColumn.FromDoubles(name, [.. values.Select((v, i) => Number(name, v, i, datatype))]),
            "BYTES" => BatchColumn.FromStrings(name,
                [.. values.Select((v, i) => v.ValueKind == JsonValueKind.String ? v.GetString() : throw Mismatch(name, i, v, datatype))]),
            _ => throw new ModelInputException(name, $"Input '{name}' has unknown datatype '{datatype}'."),
        };
    }

    private static long[] ReadShape(string name, JsonElement input)
    {
        if (!input.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new ModelInputException(name, $"Input '{name}' needs a 'shape' array, e.g. [3] or [3, 4].");
        var shape = new List<long>();
        foreach (var dimension in shapeElement.EnumerateArray())
        {
            if (dimension.ValueKind != JsonValueKind.Number || !dimension.TryGetInt64(out var size) || size < 0)
                throw new ModelInputException(name, $"Input '{name}': every dimension of 'shape' must be a non-negative integer.");
            shape.Add(size);
        }
        if (shape.Count > 0 && shape[0] > int.MaxValue)
            throw new ModelInputException(name, $"Input '{name}' has too many rows.");
        return [.. shape];
    }

    private static void Flatten(JsonElement data, List<JsonElement> values)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            values.Add(data);
            return;
        }
        foreach (var item in data.EnumerateArray())
            Flatten(item, values);
    }

    private static double Number(string name, JsonElement value, int index, string datatype) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String when value.GetString() is "NaN" => double.NaN,
        JsonValueKind.String when value.GetString() is "Infinity" => double.PositiveInfinity,
        JsonValueKind.String when value.GetString() is "-Infinity" => double.NegativeInfinity,
        _ => throw Mismatch(name, index, value, datatype),
    };

    private static ModelInputException Mismatch(string name, int index, JsonElement value, string datatype) =>
        new(name, $"Input '{name}' value {index} ({value.ValueKind.ToString().ToLowerInvariant()}) is not {datatype}.");

    public static void WriteInferResponse(Utf8JsonWriter writer, ServedModel model, string? id, DataBatch output, IReadOnlyList<string>? requested)
    {
        var columns = output.Columns.ToList();
        if (requested is not null)
        {
            var missing = requested.FirstOrDefault(r => !output.TryGetColumn(r, out _));
            if (missing is not null)
                throw ServingRequestException.BadRequest(
                    $"Requested output '{missing}' does not exist; the model outputs {string.Join(", ", output.Columns.Select(c => c.Name))}.");
            columns = [.. requested.Select(r => output[r])];
        }
        writer.WriteStartObject();
        writer.WriteString("model_name", model.Name);
        writer.WriteString("model_version", model.Version);
        if (id is not null)
            writer.WriteString("id", id);
        writer.WriteStartArray("outputs");
        foreach (var column in columns)
        {
            writer.WriteStartObject();
            writer.WriteString("name", column.Name);
            writer.WriteString("datatype", DatatypeOf(column.Type));
            writer.WriteStartArray("shape");
            writer.WriteNumberValue(column.RowCount);
            if (column.Type == BatchColumnType.SingleVector)
                writer.WriteNumberValue(column.VectorSize);
            writer.WriteEndArray();
            writer.WritePropertyName("data");
            PredictionJson.WriteFlat(writer, column);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void WriteMetadata(Utf8JsonWriter writer, ServedModel model, IEnumerable<string> versions)
    {
        writer.WriteStartObject();
        writer.WriteString("name", model.Name);
        writer.WriteStartArray("versions");
        foreach (var version in versions)
            writer.WriteStringValue(version);
        writer.WriteEndArray();
        writer.WriteString("platform", model.Predictor.Flavor == ModelFlavors.Onnx ? "onnx_onnxv1" : "mlnet");
        WriteTensors(writer, "inputs", model.Signature.Inputs);
        WriteTensors(writer, "outputs", model.Signature.Outputs);
        writer.WriteEndObject();
    }

    private static void WriteTensors(Utf8JsonWriter writer, string property, ModelSchema? schema)
    {
        writer.WriteStartArray(property);
        foreach (var column in schema?.Columns ?? [])
        {
            writer.WriteStartObject();
            writer.WriteString("name", column.Name ?? "");
            writer.WriteString("datatype", DatatypeOf(column.Type));
            writer.WriteStartArray("shape");
            writer.WriteNumberValue(-1);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        foreach (var tensor in schema?.Tensors ?? [])
        {
            writer.WriteStartObject();
            writer.WriteString("name", tensor.Name ?? "");
            writer.WriteString("datatype", DatatypeOf(tensor.DType));
            writer.WriteStartArray("shape");
            foreach (var dimension in tensor.Shape)
                writer.WriteNumberValue(dimension);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static string DatatypeOf(BatchColumnType type) => type switch
    {
        BatchColumnType.Boolean => "BOOL",
        BatchColumnType.Int32 => "INT32",
        BatchColumnType.Int64 => "INT64",
        BatchColumnType.Double => "FP64",
        BatchColumnType.String => "BYTES",
        _ => "FP32",
    };

    private static string DatatypeOf(ColumnType type) => type switch
    {
        ColumnType.Boolean => "BOOL",
        ColumnType.Integer => "INT32",
        ColumnType.Long => "INT64",
        ColumnType.Float => "FP32",
        ColumnType.Double => "FP64",
        _ => "BYTES",
    };

    private static string DatatypeOf(string dtype) => dtype switch
    {
        TensorDTypes.Float32 => "FP32",
        TensorDTypes.Float64 => "FP64",
        TensorDTypes.Int32 => "INT32",
        TensorDTypes.Int64 => "INT64",
        TensorDTypes.Bool => "BOOL",
        _ => "BYTES",
    };
}
