using System.Text.Json;
using Flightdeck.Models;

namespace Flightdeck.Serving;

/// <summary>Reads the JSON body of MLflow's <c>POST /invocations</c>: an object with exactly one of
/// <c>dataframe_split</c>, <c>dataframe_records</c>, <c>instances</c> or <c>inputs</c> (and optionally <c>params</c>,
/// which these flavors do not use).</summary>
internal static class MlflowScoringInput
{
    private static readonly string[] InputKeys = ["dataframe_split", "dataframe_records", "instances", "inputs"];

    public static DataBatch Parse(JsonElement body, ModelSignature signature)
    {
        if (body.ValueKind != JsonValueKind.Object)
            throw ServingRequestException.BadRequest(
                "The body must be a JSON object with exactly one of the keys " + string.Join(", ", InputKeys.Select(k => $"'{k}'")) + ".");
        var present = InputKeys.Where(k => body.TryGetProperty(k, out _)).ToList();
        if (present.Count != 1)
            throw ServingRequestException.BadRequest(
                (present.Count == 0 ? "The body has none" : "The body has several (" + string.Join(", ", present) + ")")
                + " of the keys " + string.Join(", ", InputKeys.Select(k => $"'{k}'")) + "; it needs exactly one.");
        var value = body.GetProperty(present[0]);
        var schema = signature.Inputs;
        return present[0] switch
        {
            "dataframe_split" => DataBatch.FromSplitJson(value, schema),
            "dataframe_records" => DataBatch.FromRecordsJson(value, schema),
            _ => FromTensorFormat(present[0], value, schema),
        };
    }

    /// <summary>TF-Serving's formats: a list of records, a columnar object (<c>{"x": [..], "y": [..]}</c>), or a list of
    /// values for a model with a single input.</summary>
    private static DataBatch FromTensorFormat(string key, JsonElement value, ModelSchema schema)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                return FromColumns(key, value, schema);
            case JsonValueKind.Array when value.GetArrayLength() > 0 && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Object):
                return DataBatch.FromRecordsJson(value, schema);
            case JsonValueKind.Array:
                var names = schema.Columns.Select(c => c.Name).Concat(schema.Tensors.Select(t => t.Name)).ToList();
                if (names.Count != 1)
                    throw ServingRequestException.BadRequest(
                        $"'{key}' as a list of values fits a model with one input, but this one has {names.Count} " +
                        $"({string.Join(", ", names.Select(n => n ?? "(unnamed)"))}); send records or an object of columns.");
                var rows = value.EnumerateArray().Select(v => (IReadOnlyList<JsonElement>)[v]).ToList();
                return DataBatch.FromRows([names[0] ?? "input"], rows, schema);
            default:
                throw ServingRequestException.BadRequest($"'{key}' must be a list of records, a list of values or an object of columns.");
        }
    }

    private static DataBatch FromColumns(string key, JsonElement value, ModelSchema schema)
    {
        var names = new List<string>();
        var columns = new List<JsonElement[]>();
        foreach (var property in value.EnumerateObject())
        {
            names.Add(property.Name);
            columns.Add(property.Value.ValueKind == JsonValueKind.Array ? [.. property.Value.EnumerateArray()] : [property.Value]);
        }
        var count = columns.Count == 0 ? 0 : columns[0].Length;
        for (var c = 0; c < columns.Count; c++)
        {
            if (columns[c].Length != count)
                throw new ModelInputException(names[c],
                    $"Column '{names[c]}' of '{key}' has {columns[c].Length} values but column '{names[0]}' has {count}.");
        }
        var rows = new List<IReadOnlyList<JsonElement>>(count);
        for (var r = 0; r < count; r++)
            rows.Add([.. columns.Select(column => column[r])]);
        return DataBatch.FromRows(names, rows, schema);
    }
}
