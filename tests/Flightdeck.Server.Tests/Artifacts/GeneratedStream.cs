using System.Security.Cryptography;

namespace Flightdeck.Server.Tests.Artifacts;

/// <summary>
/// A body of any length generated on the fly from a seed (xorshift), hashed as it is read, so a gigabyte can be
/// uploaded and checked without ever being in memory. Optionally stalls after some bytes until released.
/// </summary>
public sealed class GeneratedStream(long length, ulong seed = 0x9E3779B97F4A7C15) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private ulong _state = seed | 1;
    private long _position;
    private byte[]? _hashAtDispose;

    /// <summary>When set, reading stops at <see cref="StallAfter"/> bytes until this task completes.</summary>
    public Task? StallUntil { get; init; }

    public long StallAfter { get; init; } = long.MaxValue;

    /// <summary>Completed when the stream has produced <see cref="StallAfter"/> bytes and is waiting.</summary>
    public TaskCompletionSource Stalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>SHA-256 of everything produced so far (the whole body once read to the end); still there after disposal.</summary>
    public byte[] Hash() => _hashAtDispose ?? _hash.GetCurrentHash();

    public static async Task<(long Length, byte[] Hash)> HashAsync(Stream stream, CancellationToken ct = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1024 * 1024];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        return (total, hash.GetCurrentHash());
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position == StallAfter && StallUntil is not null)
        {
            Stalled.TrySetResult();
            await StallUntil.WaitAsync(cancellationToken);
        }

        return Read(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var limit = _position < StallAfter ? StallAfter : length;
        var count = (int)Math.Min(buffer.Length, Math.Min(length, limit) - _position);
        if (count <= 0)
        {
            return 0;
        }

        var chunk = buffer[..count];
        for (var i = 0; i < chunk.Length; i++)
        {
            // One xorshift step per 8 bytes, spread over the next 8 positions.
            if (((_position + i) & 7) == 0)
            {
                _state ^= _state << 13;
                _state ^= _state >> 7;
                _state ^= _state << 17;
            }

            chunk[i] = (byte)(_state >> (int)(((_position + i) & 7) * 8));
        }

        _hash.AppendData(chunk);
        _position += count;
        return count;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _hashAtDispose is null)
        {
            // HttpClient disposes request content once sent; the test reads the hash afterwards.
            _hashAtDispose = _hash.GetCurrentHash();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
