using System.Buffers;
using System.Text.Json;
using Flightdeck.Models;

namespace Flightdeck.Serving;

/// <summary>Writes a logged inference's inputs and outputs as UTF-8 JSON arrays of records (one object per row, at most
/// a given number of rows) into reused scratch space, and copies both out into one array of their exact size. Not
/// thread-safe: one per thread.</summary>
internal sealed class RecordJsonWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;

    /// <summary>Whether a huge record grew the scratch space past what is worth keeping for the thread's lifetime.</summary>
    public bool Oversized => _buffer.Capacity > 1024 * 1024;

    public RecordJsonWriter() => _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });

    /// <summary>The inputs' JSON then the outputs' (none when <paramref name="outputs"/> is null) in one array, and
    /// where the outputs start.</summary>
    public (ReadOnlyMemory<byte> Json, int OutputsStart) Write(DataBatch inputs, DataBatch? outputs, int maxRows)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset();
        WriteRecords(inputs, maxRows);
        _writer.Flush();
        var outputsStart = _buffer.WrittenCount;
        if (outputs is not null)
        {
            _writer.Reset();
            WriteRecords(outputs, maxRows);
            _writer.Flush();
        }
        return (_buffer.WrittenSpan.ToArray(), outputsStart);
    }

    private void WriteRecords(DataBatch batch, int maxRows)
    {
        var rows = Math.Min(batch.RowCount, maxRows);
        var columns = batch.Columns;
        _writer.WriteStartArray();
        for (var r = 0; r < rows; r++)
        {
            _writer.WriteStartObject();
            for (var c = 0; c < columns.Count; c++)
            {
                _writer.WritePropertyName(columns[c].Name);
                columns[c].WriteJsonValue(_writer, r);
            }
            _writer.WriteEndObject();
        }
        _writer.WriteEndArray();
    }
}
