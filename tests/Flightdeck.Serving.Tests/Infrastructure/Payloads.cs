using System.Globalization;
using System.Text.Json;
using Flightdeck.Models;

namespace Flightdeck.Serving.Tests.Infrastructure;

/// <summary>The same rows written in every input shape the protocols accept.</summary>
public static class Payloads
{
    private static readonly string[] Columns = ["F1", "F2", "F3", "Age", "Region"];

    private static object[] Values(TinyModel.Row r) => [r.F1, r.F2, r.F3, r.Age, r.Region];

    public static string DataframeSplit(IReadOnlyList<TinyModel.Row> rows) =>
        JsonSerializer.Serialize(new { dataframe_split = new { columns = Columns, data = rows.Select(Values) } });

    public static string DataframeRecords(IReadOnlyList<TinyModel.Row> rows) =>
        JsonSerializer.Serialize(new { dataframe_records = rows.Select(Record) });

    public static string InstancesRecords(IReadOnlyList<TinyModel.Row> rows) =>
        JsonSerializer.Serialize(new { instances = rows.Select(Record) });

    public static string InputsColumnar(IReadOnlyList<TinyModel.Row> rows) =>
        JsonSerializer.Serialize(new
        {
            inputs = new Dictionary<string, object[]>
            {
                ["F1"] = [.. rows.Select(r => (object)r.F1)],
                ["F2"] = [.. rows.Select(r => (object)r.F2)],
                ["F3"] = [.. rows.Select(r => (object)r.F3)],
                ["Age"] = [.. rows.Select(r => (object)r.Age)],
                ["Region"] = [.. rows.Select(r => (object)r.Region)],
            },
        });

    public static string Csv(IReadOnlyList<TinyModel.Row> rows) =>
        "F1,F2,F3,Age,Region\n" + string.Concat(rows.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{r.F1},{r.F2},{r.F3},{r.Age},\"{r.Region}\"\r\n")));

    public static string OpenInferenceInfer(IReadOnlyList<TinyModel.Row> rows, string? id = null) =>
        JsonSerializer.Serialize(new
        {
            id,
            inputs = new object[]
            {
                new { name = "F1", datatype = "FP32", shape = new[] { rows.Count }, data = rows.Select(r => r.F1) },
                new { name = "F2", datatype = "FP32", shape = new[] { rows.Count, 1 }, data = rows.Select(r => new[] { r.F2 }) },
                new { name = "F3", datatype = "FP64", shape = new[] { rows.Count }, data = rows.Select(r => (double)r.F3) },
                new { name = "Age", datatype = "INT32", shape = new[] { rows.Count }, data = rows.Select(r => r.Age) },
                new { name = "Region", datatype = "BYTES", shape = new[] { rows.Count }, data = rows.Select(r => r.Region) },
            },
        }, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });

    private static Dictionary<string, object> Record(TinyModel.Row r) =>
        new() { ["F1"] = r.F1, ["F2"] = r.F2, ["F3"] = r.F3, ["Age"] = r.Age, ["Region"] = r.Region };

    /// <summary>The MLflow response's predictions (records) compared with a direct predict, column by column.</summary>
    public static void AssertSamePredictions(DataBatch expected, JsonElement predictions, double tolerance = 0)
    {
        Assert.Equal(expected.RowCount, predictions.GetArrayLength());
        var row = 0;
        foreach (var record in predictions.EnumerateArray())
        {
            foreach (var column in expected.Columns)
                AssertCell(column, row, record.GetProperty(column.Name), tolerance);
            row++;
        }
    }

    public static void AssertCell(BatchColumn column, int row, JsonElement actual, double tolerance)
    {
        var value = column.GetValue(row);
        switch (value)
        {
            case bool b: Assert.Equal(b, actual.GetBoolean()); break;
            case float f: Assert.Equal(f, actual.GetSingle(), (float)tolerance); break;
            case double d: Assert.Equal(d, actual.GetDouble(), tolerance); break;
            case int i: Assert.Equal(i, actual.GetInt32()); break;
            case long l: Assert.Equal(l, actual.GetInt64()); break;
            case string s: Assert.Equal(s, actual.GetString()); break;
            default: Assert.Fail($"Unexpected {column.Name} value {value}"); break;
        }
    }
}
