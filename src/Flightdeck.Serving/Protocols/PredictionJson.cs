using System.Text.Json;
using Flightdeck.Models;

namespace Flightdeck.Serving;

/// <summary>Writes predicted values as JSON. Non-finite numbers, which JSON cannot hold, are written as the strings
/// "NaN", "Infinity" and "-Infinity", as MLflow's clients read them.</summary>
internal static class PredictionJson
{
    /// <summary>MLflow's response: <c>{"predictions": [...]}</c>, a list of values when the model has one output
    /// column (as a numpy result serialises) and a list of records when it has several (as a DataFrame does).</summary>
    public static void WriteMlflowResponse(Utf8JsonWriter writer, DataBatch output)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("predictions");
        if (output.Columns.Count == 1)
        {
            var column = output.Columns[0];
            writer.WriteStartArray();
            for (var r = 0; r < output.RowCount; r++)
                WriteCell(writer, column, r);
            writer.WriteEndArray();
        }
        else
        {
            writer.WriteStartArray();
            for (var r = 0; r < output.RowCount; r++)
            {
                writer.WriteStartObject();
                foreach (var column in output.Columns)
                {
                    writer.WritePropertyName(column.Name);
                    WriteCell(writer, column, r);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    public static void WriteCell(Utf8JsonWriter writer, BatchColumn column, int row)
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
            case BatchColumnType.Single: WriteNumber(writer, column.GetValues<float>()[row]); break;
            case BatchColumnType.Double: WriteNumber(writer, column.GetValues<double>()[row]); break;
            case BatchColumnType.String: writer.WriteStringValue(column.GetValues<string?>()[row]); break;
            default:
                writer.WriteStartArray();
                foreach (var value in column.GetValues<float>().AsSpan(row * column.VectorSize, column.VectorSize))
                    WriteNumber(writer, value);
                writer.WriteEndArray();
                break;
        }
    }

    /// <summary>Every value of a column, row-major, as OIP's flat <c>data</c> array.</summary>
    public static void WriteFlat(Utf8JsonWriter writer, BatchColumn column)
    {
        writer.WriteStartArray();
        if (column.Type == BatchColumnType.SingleVector)
        {
            foreach (var value in column.GetValues<float>())
                WriteNumber(writer, value);
        }
        else
        {
            for (var r = 0; r < column.RowCount; r++)
                WriteCell(writer, column, r);
        }
        writer.WriteEndArray();
    }

    public static void WriteNumber(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
            writer.WriteNumberValue(value);
        else
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }

    public static void WriteNumber(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
            writer.WriteNumberValue(value);
        else
            writer.WriteStringValue(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
    }
}
