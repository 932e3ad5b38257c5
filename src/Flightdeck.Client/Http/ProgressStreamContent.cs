using System.Buffers;
using System.Net;

namespace Flightdeck.Client.Http;

/// <summary>Request content that streams from a source stream in chunks, reporting the bytes sent so far.</summary>
internal sealed class ProgressStreamContent(Stream source, IProgress<long>? progress, long alreadySent = 0) : HttpContent
{
    internal const int ChunkSize = 1024 * 1024;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        await StreamCopy.CopyAsync(source, stream, progress, alreadySent, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        length = source.CanSeek ? source.Length - source.Position : -1;
        return source.CanSeek;
    }
}

internal static class StreamCopy
{
    /// <summary>Copies in 1 MB chunks, reporting the running total (offset by <paramref name="reportedBefore"/>); returns bytes copied.</summary>
    public static async Task<long> CopyAsync(
        Stream source, Stream destination, IProgress<long>? progress, long reportedBefore, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ProgressStreamContent.ChunkSize);
        try
        {
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, ProgressStreamContent.ChunkSize), cancellationToken)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                total += read;
                progress?.Report(reportedBefore + total);
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
