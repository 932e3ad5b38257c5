namespace Flightdeck.Models;

/// <summary>The value type of a <see cref="BatchColumn"/>.</summary>
public enum BatchColumnType
{
    Boolean,
    Int32,
    Int64,
    Single,
    Double,
    String,

    /// <summary>A fixed-size vector of floats per row (a tensor input such as shape [-1, 4]), stored flat.</summary>
    SingleVector,
}

/// <summary>One named, typed column of a <see cref="DataBatch"/>. Values live in one array (for
/// <see cref="BatchColumnType.SingleVector"/>: row-major, <see cref="VectorSize"/> floats per row); missing values
/// (JSON nulls) are marked in <see cref="Missing"/>, or are null entries of a string column.</summary>
public sealed class BatchColumn
{
    private readonly Array _values;

    private BatchColumn(string name, BatchColumnType type, Array values, int rowCount, int vectorSize, bool[]? missing)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (missing is not null && missing.Length != rowCount)
            throw new ArgumentException($"Column '{name}': the missing mask has {missing.Length} entries for {rowCount} rows.");
        Name = name;
        Type = type;
        _values = values;
        RowCount = rowCount;
        VectorSize = vectorSize;
        Missing = missing is not null && Array.IndexOf(missing, true) >= 0 ? missing : null;
    }

    public string Name { get; }

    public BatchColumnType Type { get; }

    public int RowCount { get; }

    /// <summary>Writes one row's value as JSON: null when missing, vectors as arrays, non-finite numbers as the strings
    /// "NaN", "Infinity" and "-Infinity" (JSON has no such numbers; MLflow's clients read these).</summary>
    public void WriteJsonValue(System.Text.Json.Utf8JsonWriter writer, int row) => DataBatchJson.WriteCell(writer, this, row);

    /// <summary>Writes a number as <see cref="WriteJsonValue"/> does.</summary>
    public static void WriteJsonNumber(System.Text.Json.Utf8JsonWriter writer, float value) => DataBatchJson.WriteFloat(writer, value);

    /// <summary>Values per row: 1 for scalar columns.</summary>
    public int VectorSize { get; }

    /// <summary>True at the rows whose value is missing; null when none is.</summary>
    public bool[]? Missing { get; }

    public static BatchColumn FromBooleans(string name, bool[] values, bool[]? missing = null) =>
        new(name, BatchColumnType.Boolean, values, values.Length, 1, missing);

    public static BatchColumn FromInt32s(string name, int[] values, bool[]? missing = null) =>
        new(name, BatchColumnType.Int32, values, values.Length, 1, missing);

    public static BatchColumn FromInt64s(string name, long[] values, bool[]? missing = null) =>
        new(name, BatchColumnType.Int64, values, values.Length, 1, missing);

    public static BatchColumn FromSingles(string name, float[] values, bool[]? missing = null) =>
        new(name, BatchColumnType.Single, values, values.Length, 1, missing);

    public static BatchColumn FromDoubles(string name, double[] values, bool[]? missing = null) =>
        new(name, BatchColumnType.Double, values, values.Length, 1, missing);

    public static BatchColumn FromStrings(string name, string?[] values) =>
        new(name, BatchColumnType.String, values, values.Length, 1, values.Select(v => v is null).ToArray());

    /// <summary>A float vector column from row-major values: <paramref name="vectorSize"/> floats per row.</summary>
    public static BatchColumn FromVectors(string name, float[] flatValues, int vectorSize, bool[]? missing = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vectorSize, 1);
        if (flatValues.Length % vectorSize != 0)
            throw new ArgumentException($"Column '{name}': {flatValues.Length} values do not split into rows of {vectorSize}.");
        return new(name, BatchColumnType.SingleVector, flatValues, flatValues.Length / vectorSize, vectorSize, missing);
    }

    /// <summary>The values array: bool[], int[], long[], float[], double[], string?[] or (vectors) the flat float[].</summary>
    public T[] GetValues<T>() => _values as T[]
        ?? throw new InvalidOperationException($"Column '{Name}' holds {Type} values, not {typeof(T).Name}.");

    public bool IsMissing(int row) => Missing?[row] ?? false;

    /// <summary>The value at a row, boxed (null when missing; a float[] for vector columns). For JSON output and tests,
    /// not for hot loops.</summary>
    public object? GetValue(int row)
    {
        if (IsMissing(row))
            return null;
        return Type == BatchColumnType.SingleVector
            ? ((float[])_values).AsSpan(row * VectorSize, VectorSize).ToArray()
            : _values.GetValue(row);
    }

    /// <summary>The same values under another name.</summary>
    public BatchColumn WithName(string name) => new(name, Type, _values, RowCount, VectorSize, Missing);

    internal Array RawValues => _values;
}
