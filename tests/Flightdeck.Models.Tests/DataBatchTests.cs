using System.Text;
using System.Text.Json;

namespace Flightdeck.Models.Tests;

public sealed class DataBatchTests
{
    [Fact]
    public void Records_without_a_schema_infer_column_types_and_mark_absent_keys_missing()
    {
        using var json = JsonDocument.Parse("""[{"n": 1, "x": 1.5, "s": "a", "b": true, "v": [1, 2]}, {"n": 2, "x": 2, "b": false, "v": [3, 4]}]""");

        var batch = DataBatch.FromRecordsJson(json.RootElement);

        Assert.Equal(2, batch.RowCount);
        Assert.Equal(BatchColumnType.Int64, batch["n"].Type);
        Assert.Equal(BatchColumnType.Double, batch["x"].Type);
        Assert.Equal(BatchColumnType.String, batch["s"].Type);
        Assert.Null(batch["s"].GetValue(1));
        Assert.True(batch["s"].IsMissing(1));
        Assert.Equal(BatchColumnType.Boolean, batch["b"].Type);
        Assert.Equal(2, batch["v"].VectorSize);
        Assert.Equal([3f, 4f], (float[])batch["v"].GetValue(1)!);
    }

    [Fact]
    public void Mixed_json_types_in_one_column_are_refused()
    {
        using var json = JsonDocument.Parse("""{"columns": ["a"], "data": [[1], ["two"]]}""");

        var exception = Assert.Throws<ModelInputException>(() => DataBatch.FromSplitJson(json.RootElement));

        Assert.Equal("a", exception.ColumnName);
        Assert.Equal("Column 'a' mixes 64-bit integer and string values.", exception.Message);
    }

    [Fact]
    public void Split_json_round_trips_with_nulls_and_non_finite_floats()
    {
        var batch = new DataBatch(
            BatchColumn.FromDoubles("d", [1.5, double.NaN, 3], [false, false, true]),
            BatchColumn.FromStrings("s", ["x", null, "z"]),
            BatchColumn.FromVectors("v", [1, 2, 3, 4, 5, 6], 2));
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            batch.WriteSplitJson(writer);
        var text = Encoding.UTF8.GetString(buffer.ToArray());

        using var json = JsonDocument.Parse(text);
        var read = DataBatch.FromSplitJson(json.RootElement,
            ModelSchema.ForColumns([new ColumnSpec("d", ColumnType.Double, false), new ColumnSpec("s", ColumnType.String, false)]));

        Assert.Equal("""{"columns":["d","s","v"],"data":[[1.5,"x",[1,2]],["NaN",null,[3,4]],[null,"z",[5,6]]]}""", text);
        Assert.True(double.IsNaN(read["d"].GetValues<double>()[1]));
        Assert.True(read["d"].IsMissing(2));
        Assert.Equal(batch["v"].GetValues<float>(), read["v"].GetValues<float>());
    }

    [Fact]
    public void Columns_of_different_lengths_or_duplicate_names_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new DataBatch(BatchColumn.FromInt32s("a", [1, 2]), BatchColumn.FromInt32s("b", [1])));
        Assert.Throws<ArgumentException>(() => new DataBatch(BatchColumn.FromInt32s("a", [1]), BatchColumn.FromInt32s("a", [2])));
    }
}
