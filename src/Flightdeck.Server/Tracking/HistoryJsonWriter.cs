using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;

namespace Flightdeck.Server.Tracking;

/// <summary>
/// Writes a get-history body, <c>{"metrics":[{"key":..,"value":..,"timestamp":..,"step":..},...],"next_page_token":..}</c>,
/// straight into the response pipe: the bytes Utf8JsonWriter would write (same escaping, same number formatting),
/// without its per-call bookkeeping, which dominated for a million points. NaN and infinities are strings, as MLflow
/// writes them. Points go into one large block of the pipe at a time: each GetSpan/Advance on Kestrel's response
/// writer takes a lock, which per point cost more than formatting its integers.
/// </summary>
internal sealed class HistoryJsonWriter
{
    private const int MaxNumberBytes = 32;

    private const int BlockBytes = 64 * 1024;

    private static readonly byte[] Start = "{\"metrics\":["u8.ToArray();
    private static readonly byte[] TimestampField = ",\"timestamp\":"u8.ToArray();
    private static readonly byte[] StepField = ",\"step\":"u8.ToArray();

    private readonly PipeWriter _pipe;
    private readonly byte[] _pointStart;
    private readonly int _maxPointBytes;
    private Memory<byte> _block;
    private int _used;
    private bool _first = true;

    public HistoryJsonWriter(PipeWriter pipe, string key)
    {
        _pipe = pipe;
        // {"key":"<key, JSON-escaped>","value":
        var encodedKey = JsonEncodedText.Encode(key).EncodedUtf8Bytes;
        _pointStart = [.. "{\"key\":\""u8, .. encodedKey, .. "\",\"value\":"u8];
        _maxPointBytes = _pointStart.Length + 1 + 3 * MaxNumberBytes + TimestampField.Length + StepField.Length + 2;
        Write(Start);
    }

    public void WritePoint(double value, bool isNan, long timestamp, long step)
    {
        if (_block.Length - _used < _maxPointBytes)
        {
            Commit();
            _block = _pipe.GetMemory(Math.Max(BlockBytes, _maxPointBytes));
        }

        var span = _block.Span[_used..];
        var n = 0;
        if (!_first)
        {
            span[n++] = (byte)',';
        }

        _first = false;
        _pointStart.CopyTo(span[n..]);
        n += _pointStart.Length;
        n += WriteValue(span[n..], isNan ? double.NaN : value);
        TimestampField.CopyTo(span[n..]);
        n += TimestampField.Length;
        n += Format(span[n..], timestamp);
        StepField.CopyTo(span[n..]);
        n += StepField.Length;
        n += Format(span[n..], step);
        span[n++] = (byte)'}';
        _used += n;
    }

    /// <summary>Hands the points written into the current block to the pipe.</summary>
    private void Commit()
    {
        if (_used > 0)
        {
            _pipe.Advance(_used);
        }

        _block = default;
        _used = 0;
    }

    public void WriteEnd(string? nextPageToken)
    {
        Write("]"u8);
        if (nextPageToken is not null)
        {
            Write(",\"next_page_token\":\""u8);
            Write(JsonEncodedText.Encode(nextPageToken).EncodedUtf8Bytes);
            Write("\""u8);
        }

        Write("}"u8);
    }

    public async ValueTask FlushAsync(CancellationToken ct)
    {
        Commit();
        await _pipe.FlushAsync(ct);
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        Commit();
        _pipe.Write(bytes);
    }

    private static int WriteValue(Span<byte> span, double value)
    {
        if (double.IsFinite(value))
        {
            value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
            return written;
        }

        ReadOnlySpan<byte> text = double.IsNaN(value) ? "\"NaN\""u8 : value > 0 ? "\"Infinity\""u8 : "\"-Infinity\""u8;
        text.CopyTo(span);
        return text.Length;
    }

    private static int Format(Span<byte> span, long value)
    {
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        return written;
    }
}
