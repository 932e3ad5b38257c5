using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Flightdeck.Serving;

/// <summary>
/// Writes the inference log of a standalone <c>flightdeck serve</c> as JSON Lines in a folder, one file per UTC hour
/// (<c>inference-20260101-13.jsonl</c>), starting a new numbered file (<c>…-13.1.jsonl</c>) when one reaches
/// <c>maxFileBytes</c>. Each line: <c>request_id, endpoint, model_name, version, role, inputs, outputs, status, error,
/// latency_us, time</c> (epoch ms), inputs and outputs as arrays of records. A batch's lines are gathered in memory
/// and handed to the OS in one write before <see cref="WriteAsync"/> returns, so a killed process keeps what it
/// acknowledged.
/// </summary>
public sealed class JsonLinesInferenceLogSink : IInferenceLogSink, IAsyncDisposable
{
    public const long DefaultMaxFileBytes = 64L * 1024 * 1024;

    /// <summary>Lines gathered up to this many bytes are written out before the batch ends.</summary>
    private const int PendingBytes = 1024 * 1024;

    // The line's property names, escaped and encoded once rather than on every line.
    private static readonly JsonEncodedText RequestIdProperty = JsonEncodedText.Encode("request_id");
    private static readonly JsonEncodedText EndpointProperty = JsonEncodedText.Encode("endpoint");
    private static readonly JsonEncodedText ModelNameProperty = JsonEncodedText.Encode("model_name");
    private static readonly JsonEncodedText VersionProperty = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText RoleProperty = JsonEncodedText.Encode("role");
    private static readonly JsonEncodedText InputsProperty = JsonEncodedText.Encode("inputs");
    private static readonly JsonEncodedText OutputsProperty = JsonEncodedText.Encode("outputs");
    private static readonly JsonEncodedText StatusProperty = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText ErrorProperty = JsonEncodedText.Encode("error");
    private static readonly JsonEncodedText LatencyUsProperty = JsonEncodedText.Encode("latency_us");
    private static readonly JsonEncodedText TimeProperty = JsonEncodedText.Encode("time");

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly string _directory;
    private readonly long _maxFileBytes;
    private readonly TimeProvider _clock;
    private readonly ArrayBufferWriter<byte> _pending = new(64 * 1024);
    private readonly Utf8JsonWriter _line;
    private FileStream? _file;
    private string? _hour;
    private long _length;

    public JsonLinesInferenceLogSink(string directory, long maxFileBytes = DefaultMaxFileBytes, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFileBytes, 1);
        _directory = Path.GetFullPath(directory);
        _maxFileBytes = maxFileBytes;
        _clock = clock ?? TimeProvider.System;
        Directory.CreateDirectory(_directory);
        _line = new Utf8JsonWriter(_pending, new JsonWriterOptions { SkipValidation = true });
    }

    /// <summary>The file being written, if any.</summary>
    public string? CurrentFile => _file?.Name;

    public Task WriteAsync(IReadOnlyList<InferenceLogEntry> entries, CancellationToken cancellationToken)
    {
        var hour = _clock.GetUtcNow().ToString("yyyyMMdd-HH", CultureInfo.InvariantCulture);
        try
        {
            Append(entries, hour, cancellationToken);
        }
        finally
        {
            _pending.ResetWrittenCount(); // A failed batch is not written again with the next one.
        }
        return Task.CompletedTask;
    }

    private void Append(IReadOnlyList<InferenceLogEntry> entries, string hour, CancellationToken cancellationToken)
    {
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_file is null || hour != _hour || _length >= _maxFileBytes)
            {
                WritePending();
                OpenNextFile(hour);
            }
            var before = _pending.WrittenCount;
            _line.Reset();
            Write(_line, entry);
            _line.Flush();
            _pending.Write(NewLine);
            _length += _pending.WrittenCount - before;
            if (_pending.WrittenCount >= PendingBytes)
                WritePending();
        }
        WritePending();
    }

    /// <summary>Hands the lines gathered so far to the OS in one write (the file has no buffer of its own).</summary>
    private void WritePending()
    {
        if (_pending.WrittenCount == 0)
            return;
        _file!.Write(_pending.WrittenSpan);
        _pending.ResetWrittenCount();
    }

    private static void Write(Utf8JsonWriter writer, InferenceLogEntry entry)
    {
        writer.WriteStartObject();
        writer.WriteString(RequestIdProperty, entry.RequestId);
        writer.WriteString(EndpointProperty, entry.Endpoint);
        writer.WriteString(ModelNameProperty, entry.ModelName);
        writer.WriteString(VersionProperty, entry.Version);
        writer.WriteString(RoleProperty, entry.Role);
        writer.WritePropertyName(InputsProperty);
        writer.WriteRawValue(entry.InputsJson.Span, skipInputValidation: true);
        writer.WritePropertyName(OutputsProperty);
        if (entry.TryGetOutputs(out var outputs))
            writer.WriteRawValue(outputs, skipInputValidation: true);
        else
            writer.WriteNullValue();
        writer.WriteNumber(StatusProperty, entry.Status);
        writer.WriteString(ErrorProperty, entry.Error);
        writer.WriteNumber(LatencyUsProperty, entry.LatencyUs);
        writer.WriteNumber(TimeProperty, entry.Time);
        writer.WriteEndObject();
    }

    /// <summary>Closes the open file (full, or of an earlier hour) and opens this hour's first one with room.</summary>
    private void OpenNextFile(string hour)
    {
        _file?.Flush(flushToDisk: true);
        _file?.Dispose();
        _file = null;
        _hour = hour;
        for (var sequence = 0; ; sequence++)
        {
            var path = Path.Combine(_directory, sequence == 0 ? $"inference-{hour}.jsonl" : $"inference-{hour}.{sequence}.jsonl");
            var info = new FileInfo(path);
            if (info.Exists && info.Length >= _maxFileBytes)
                continue;
            _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
            _length = info.Exists ? info.Length : 0;
            return;
        }
    }

    public ValueTask DisposeAsync()
    {
        _line.Dispose();
        if (_file is not null)
        {
            _file.Flush(flushToDisk: true);
            _file.Dispose();
            _file = null;
        }
        return ValueTask.CompletedTask;
    }
}
