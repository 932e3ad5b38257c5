namespace Flightdeck.Models;

/// <summary>One column of a column-based schema: <c>{"type": "double", "name": "x", "required": true}</c>.
/// Output schemas may leave the name out.</summary>
public sealed record ColumnSpec(string? Name, ColumnType Type, bool Required = true);

/// <summary>One tensor of a tensor-based schema:
/// <c>{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}, "name": "x"}</c>.
/// <see cref="DType"/> is a numpy dtype name (float32, float64, int32, int64, bool, str); -1 in
/// <see cref="Shape"/> is a free dimension (the batch).</summary>
public sealed record TensorSpec(string? Name, string DType, IReadOnlyList<long> Shape)
{
    /// <summary>Values per row: the product of the dimensions after the first, 1 for a shape of one dimension,
    /// or -1 when one of them is free.</summary>
    public long ValuesPerRow
    {
        get
        {
            long product = 1;
            for (var i = 1; i < Shape.Count; i++)
            {
                if (Shape[i] < 0)
                    return -1;
                product *= Shape[i];
            }
            return product;
        }
    }

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    public bool Equals(TensorSpec? other) =>
        other is not null && Name == other.Name && DType == other.DType && Shape.SequenceEqual(other.Shape);

    public override int GetHashCode() => HashCode.Combine(Name, DType, Shape.Count);
}

/// <summary>numpy dtype names used in tensor specs.</summary>
public static class TensorDTypes
{
    public const string Float32 = "float32";
    public const string Float64 = "float64";
    public const string Int32 = "int32";
    public const string Int64 = "int64";
    public const string Bool = "bool";
    public const string String = "str";
}
