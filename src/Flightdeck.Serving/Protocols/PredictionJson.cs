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
                column.WriteJsonValue(writer, r);
            writer.WriteEndArray();
        }
        else
        {
            output.WriteRecordsJson(writer);
        }
        writer.WriteEndObject();
    }

    /// <summary>Every value of a column, row-major, as OIP's flat <c>data</c> array.</summary>
    public static void WriteFlat(Utf8JsonWriter writer, BatchColumn column)
    {
        writer.WriteStartArray();
        if (column.Type == BatchColumnType.SingleVector)
        {
            foreach (var value in column.GetValues<float>())
                BatchColumn.WriteJsonNumber(writer, value);
        }
        else
        {
            for (var r = 0; r < column.RowCount; r++)
                column.WriteJsonValue(writer, r);
        }
        writer.WriteEndArray();
    }
}
