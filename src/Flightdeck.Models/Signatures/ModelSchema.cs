using System.Text;
using System.Text.Json;

namespace Flightdeck.Models;

/// <summary>The inputs or outputs of a signature: either all columns or all tensors, as in MLflow. On the wire it is
/// the JSON string MLflow keeps under <c>signature.inputs</c> / <c>signature.outputs</c>.</summary>
public sealed class ModelSchema
{
    private ModelSchema(IReadOnlyList<ColumnSpec> columns, IReadOnlyList<TensorSpec> tensors)
    {
        Columns = columns;
        Tensors = tensors;
    }

    public IReadOnlyList<ColumnSpec> Columns { get; }

    public IReadOnlyList<TensorSpec> Tensors { get; }

    public bool IsTensorBased => Tensors.Count > 0;

    /// <summary>The input names, in order (unnamed entries are left out).</summary>
    public IEnumerable<string> Names => IsTensorBased
        ? Tensors.Select(t => t.Name).OfType<string>()
        : Columns.Select(c => c.Name).OfType<string>();

    public static ModelSchema ForColumns(IEnumerable<ColumnSpec> columns) => new([.. columns], []);

    public static ModelSchema ForTensors(IEnumerable<TensorSpec> tensors)
    {
        var list = tensors.ToList();
        if (list.Count == 0)
            throw new ArgumentException("A tensor-based schema needs at least one tensor.", nameof(tensors));
        return new ModelSchema([], list);
    }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var column in Columns)
            {
                json.WriteStartObject();
                json.WriteString("type", column.Type.ToWire());
                if (column.Name is not null)
                    json.WriteString("name", column.Name);
                json.WriteBoolean("required", column.Required);
                json.WriteEndObject();
            }
            foreach (var tensor in Tensors)
            {
                json.WriteStartObject();
                json.WriteString("type", "tensor");
                json.WriteStartObject("tensor-spec");
                json.WriteString("dtype", tensor.DType);
                json.WriteStartArray("shape");
                foreach (var dimension in tensor.Shape)
                    json.WriteNumberValue(dimension);
                json.WriteEndArray();
                json.WriteEndObject();
                if (tensor.Name is not null)
                    json.WriteString("name", tensor.Name);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Parses MLflow's schema JSON. Anything malformed is a <see cref="ModelPackageException"/>.</summary>
    public static ModelSchema Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ModelPackageException($"The signature schema is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new ModelPackageException("The signature schema must be a JSON array of column or tensor specs.");
            var columns = new List<ColumnSpec>();
            var tensors = new List<TensorSpec>();
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                    throw new ModelPackageException("Each signature entry must be a JSON object.");
                var name = item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                var type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if (type == "tensor")
                    tensors.Add(ParseTensor(item, name));
                else if (ColumnTypeNames.TryParse(type, out var columnType))
                {
                    var required = !item.TryGetProperty("required", out var r) || r.ValueKind != JsonValueKind.False;
                    columns.Add(new ColumnSpec(name, columnType, required));
                }
                else
                    throw new ModelPackageException(
                        $"Signature entry '{name ?? "(unnamed)"}' has unsupported type '{type ?? "(none)"}'.");
            }
            if (columns.Count > 0 && tensors.Count > 0)
                throw new ModelPackageException("A signature schema cannot mix column specs and tensor specs.");
            return new ModelSchema(columns, tensors);
        }
    }

    private static TensorSpec ParseTensor(JsonElement item, string? name)
    {
        if (!item.TryGetProperty("tensor-spec", out var spec) || spec.ValueKind != JsonValueKind.Object
            || !spec.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !spec.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array)
            throw new ModelPackageException($"Tensor spec '{name ?? "(unnamed)"}' needs a tensor-spec with dtype and shape.");
        var dimensions = new List<long>();
        foreach (var dimension in shape.EnumerateArray())
        {
            if (dimension.ValueKind != JsonValueKind.Number || !dimension.TryGetInt64(out var value) || value < -1)
                throw new ModelPackageException($"Tensor spec '{name ?? "(unnamed)"}' has an invalid shape.");
            dimensions.Add(value);
        }
        return new TensorSpec(name, dtype.GetString()!, dimensions);
    }
}
