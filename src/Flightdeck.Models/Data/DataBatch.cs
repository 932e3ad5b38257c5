using System.Text.Json;

namespace Flightdeck.Models;

/// <summary>A batch of rows stored by column: what a predictor takes in and gives back. Column names are unique
/// (ordinal) and every column has the same number of rows.</summary>
public sealed class DataBatch
{
    private readonly Dictionary<string, BatchColumn> _byName;

    public DataBatch(IEnumerable<BatchColumn> columns)
    {
        Columns = [.. columns];
        _byName = new Dictionary<string, BatchColumn>(StringComparer.Ordinal);
        foreach (var column in Columns)
        {
            if (!_byName.TryAdd(column.Name, column))
                throw new ArgumentException($"Column '{column.Name}' appears twice in the batch.", nameof(columns));
        }
        RowCount = Columns.Count == 0 ? 0 : Columns[0].RowCount;
        if (Columns.FirstOrDefault(c => c.RowCount != RowCount) is { } uneven)
            throw new ArgumentException(
                $"Column '{uneven.Name}' has {uneven.RowCount} rows but column '{Columns[0].Name}' has {RowCount}.", nameof(columns));
    }

    public DataBatch(params BatchColumn[] columns) : this((IEnumerable<BatchColumn>)columns) { }

    public int RowCount { get; }

    public IReadOnlyList<BatchColumn> Columns { get; }

    public BatchColumn this[string name] => _byName.TryGetValue(name, out var column)
        ? column
        : throw new KeyNotFoundException($"The batch has no column '{name}'.");

    public bool TryGetColumn(string name, out BatchColumn column) => _byName.TryGetValue(name, out column!);

    /// <summary>Builds a batch from rows of JSON values, one value per column name. Each column's type comes from the
    /// schema entry of the same name (a column spec, or a tensor spec: a row is then an array of numbers); columns the
    /// schema does not name are inferred (booleans, integers as long, other numbers as double, strings, arrays of
    /// numbers as float vectors). A value that does not fit is a <see cref="ModelInputException"/> naming the column.</summary>
    public static DataBatch FromRows(IReadOnlyList<string> columnNames, IReadOnlyList<IReadOnlyList<JsonElement>> rows,
        ModelSchema? schema = null) => DataBatchJson.FromRows(columnNames, rows, schema);

    /// <summary>pandas "split" orient, as MLflow writes input_example.json and serving accepts
    /// <c>dataframe_split</c>: <c>{"columns": ["a", "b"], "data": [[1, 2], [3, 4]]}</c>.</summary>
    public static DataBatch FromSplitJson(JsonElement split, ModelSchema? schema = null) => DataBatchJson.FromSplit(split, schema);

    /// <summary>pandas "records" orient (serving's <c>dataframe_records</c>): <c>[{"a": 1, "b": 2}, {"a": 3, "b": 4}]</c>.
    /// A key absent from a record is a missing value.</summary>
    public static DataBatch FromRecordsJson(JsonElement records, ModelSchema? schema = null) =>
        DataBatchJson.FromRecords(records, schema);

    /// <summary>Writes the batch in pandas "split" orient (vector cells as arrays, missing values as null).</summary>
    public void WriteSplitJson(Utf8JsonWriter writer) => DataBatchJson.WriteSplit(this, writer);

    /// <summary>Writes the batch as an array of records, one object per row.</summary>
    public void WriteRecordsJson(Utf8JsonWriter writer) => DataBatchJson.WriteRecords(this, writer);

    /// <summary>The first <paramref name="count"/> rows (all of them when the batch is shorter).</summary>
    public DataBatch Head(int count) => count >= RowCount ? this : new DataBatch(Columns.Select(c => DataBatchJson.Head(c, count)));
}
