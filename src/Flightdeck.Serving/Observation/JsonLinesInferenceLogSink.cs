using System.Globalization;
using System.Text.Json;

namespace Flightdeck.Serving;

/// <summary>
/// Writes the inference log of a standalone <c>flightdeck serve</c> as JSON Lines in a folder, one file per UTC hour
/// (<c>inference-20260101-13.jsonl</c>), starting a new numbered file (<c>…-13.1.jsonl</c>) when one reaches
/// <c>maxFileBytes</c>. Each line: <c>request_id, endpoint, model_name, version, role, inputs, outputs, status, error,
/// latency_us, time</c> (epoch ms), inputs and outputs as arrays of records. Every batch is flushed to the OS before
/// <see cref="WriteAsync"/> returns, so a killed process keeps what it acknowledged.
/// </summary>
public sealed class JsonLinesInferenceLogSink : IInferenceLogSink, IAsyncDisposable
{
    public const long DefaultMaxFileBytes = 64L * 1024 * 1024;

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly string _directory;
    private readonly long _maxFileBytes;
    private readonly TimeProvider _clock;
    private FileStream? _file;
    private string? _hour;

    public JsonLinesInferenceLogSink(string directory, long maxFileBytes = DefaultMaxFileBytes, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFileBytes, 1);
        _directory = Path.GetFullPath(directory);
        _maxFileBytes = maxFileBytes;
        _clock = clock ?? TimeProvider.System;
        Directory.CreateDirectory(_directory);
    }

    /// <summary>The file being written, if any.</summary>
    public string? CurrentFile => _file?.Name;

    public async Task WriteAsync(IReadOnlyList<InferenceLogEntry> entries, CancellationToken cancellationToken)
    {
        foreach (var entry in entries)
        {
            var file = CurrentOrNextFile();
            using (var writer = new Utf8JsonWriter(file, new JsonWriterOptions { SkipValidation = true }))
                Write(writer, entry);
            file.Write(NewLine);
        }
        if (_file is not null)
            await _file.FlushAsync(cancellationToken);
    }

    private static void Write(Utf8JsonWriter writer, InferenceLogEntry entry)
    {
        writer.WriteStartObject();
        writer.WriteString("request_id", entry.RequestId);
        writer.WriteString("endpoint", entry.Endpoint);
        writer.WriteString("model_name", entry.ModelName);
        writer.WriteString("version", entry.Version);
        writer.WriteString("role", entry.Role);
        writer.WritePropertyName("inputs");
        writer.WriteRawValue(entry.InputsJson, skipInputValidation: true);
        writer.WritePropertyName("outputs");
        if (entry.OutputsJson is null)
            writer.WriteNullValue();
        else
            writer.WriteRawValue(entry.OutputsJson, skipInputValidation: true);
        writer.WriteNumber("status", entry.Status);
        writer.WriteString("error", entry.Error);
        writer.WriteNumber("latency_us", entry.LatencyUs);
        writer.WriteNumber("time", entry.Time);
        writer.WriteEndObject();
    }

    /// <summary>The open file while it is this hour's and not full; otherwise the next one (closing the old).</summary>
    private FileStream CurrentOrNextFile()
    {
        var hour = _clock.GetUtcNow().ToString("yyyyMMdd-HH", CultureInfo.InvariantCulture);
        if (_file is not null && hour == _hour && _file.Length < _maxFileBytes)
            return _file;
        _file?.Flush(flushToDisk: true);
        _file?.Dispose();
        _hour = hour;
        for (var sequence = 0; ; sequence++)
        {
            var path = Path.Combine(_directory, sequence == 0 ? $"inference-{hour}.jsonl" : $"inference-{hour}.{sequence}.jsonl");
            var info = new FileInfo(path);
            if (info.Exists && info.Length >= _maxFileBytes)
                continue;
            _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024);
            return _file;
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            _file.Flush(flushToDisk: true);
            _file.Dispose();
            _file = null;
        }
        return ValueTask.CompletedTask;
    }
}
