using System.Globalization;
using System.Text;
using System.Text.Json;
using Flightdeck.Models;

namespace Flightdeck.Serving;

/// <summary>text/csv scoring input, as pandas.read_csv reads it: a header row of column names, then one row per record;
/// fields may be double-quoted (with "" for a quote). Empty fields are missing values. A field is a number or boolean
/// when it reads as one, except in columns the signature types as strings, which keep the text.</summary>
internal static class CsvInput
{
    public static DataBatch Parse(string text, ModelSchema? schema)
    {
        var records = ReadRecords(text);
        if (records.Count == 0)
            throw ServingRequestException.BadRequest("The CSV body is empty; it needs a header row of column names.");
        var header = records[0];
        var stringColumns = header
            .Select(name => schema?.Columns.FirstOrDefault(c => c.Name == name)?.Type is ColumnType.String or ColumnType.Binary or ColumnType.Datetime)
            .ToArray();
        var json = new ArrayBufferWriterStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartArray();
            for (var r = 1; r < records.Count; r++)
            {
                var record = records[r];
                if (record.Count != header.Count)
                    throw ServingRequestException.BadRequest($"CSV row {r} has {record.Count} fields but the header names {header.Count} columns.");
                writer.WriteStartArray();
                for (var c = 0; c < record.Count; c++)
                    WriteField(writer, record[c], stringColumns[c]);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }
        using var document = JsonDocument.Parse(json.WrittenMemory);
        var rows = document.RootElement.EnumerateArray().Select(row => (IReadOnlyList<JsonElement>)[.. row.EnumerateArray()]).ToList();
        return DataBatch.FromRows(header, rows, schema);
    }

    private static void WriteField(Utf8JsonWriter writer, string field, bool asString)
    {
        if (field.Length == 0)
            writer.WriteNullValue();
        else if (asString)
            writer.WriteStringValue(field);
        else if (long.TryParse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            writer.WriteNumberValue(integer);
        else if (double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            writer.WriteNumberValue(number);
        else if (bool.TryParse(field, out var flag))
            writer.WriteBooleanValue(flag);
        else
            writer.WriteStringValue(field); // NaN and Infinity included: the batch reader accepts them as strings.
    }

    private static List<List<string>> ReadRecords(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var fieldStarted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (ch == '"')
                    quoted = false;
                else
                    field.Append(ch);
                continue;
            }
            switch (ch)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    fieldStarted = true;
                    break;
                case ',':
                    record.Add(field.ToString());
                    field.Clear();
                    fieldStarted = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    EndRecord();
                    break;
                default:
                    field.Append(ch);
                    fieldStarted = true;
                    break;
            }
        }
        if (quoted)
            throw ServingRequestException.BadRequest("The CSV body ends inside a quoted field.");
        EndRecord();
        return records;

        void EndRecord()
        {
            if (!fieldStarted && record.Count == 0)
                return; // A blank line.
            record.Add(field.ToString());
            records.Add(record);
            record = [];
            field.Clear();
            fieldStarted = false;
        }
    }

    /// <summary>A growable in-memory stream whose written bytes can be read without a copy.</summary>
    private sealed class ArrayBufferWriterStream : MemoryStream
    {
        public ReadOnlyMemory<byte> WrittenMemory => GetBuffer().AsMemory(0, (int)Length);
    }
}
