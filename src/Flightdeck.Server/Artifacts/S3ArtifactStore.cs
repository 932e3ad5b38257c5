using System.Buffers;
using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Flightdeck.Contracts;

namespace Flightdeck.Server.Artifacts;

/// <summary>
/// Artifacts as objects under a key prefix of an S3 (or S3-compatible) bucket. Uploads of unknown length go up as a
/// multipart upload, one bounded part buffer at a time; the object appears only when the upload completes.
/// </summary>
internal sealed class S3ArtifactStore(IAmazonS3 s3, S3Location location) : IArtifactStore, IDisposable
{
    /// <summary>Part size of multipart uploads; S3 allows 10,000 parts, so one upload can hold 80 GB.</summary>
    public const int PartSize = 8 * 1024 * 1024;

    public S3Location Location => location;

    public static S3ArtifactStore Create(S3Location location)
    {
        var config = new AmazonS3Config();
        var region = Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
        if (location.EndpointUrl is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.ForcePathStyle = true; // S3-compatible servers rarely resolve bucket subdomains.
            config.AuthenticationRegion = region ?? "us-east-1";
            // Trailing checksums in aws-chunked bodies are newer than many S3-compatible servers.
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        else if (region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        return new S3ArtifactStore(new AmazonS3Client(config), location);
    }

    public async Task<IReadOnlyList<ArtifactEntry>> ListAsync(string relativeDir, CancellationToken ct)
    {
        var prefix = ArtifactPath.Normalize(relativeDir) is { Length: > 0 } dir ? location.KeyOf(dir) + "/" : location.RootKey;
        var entries = new List<ArtifactEntry>();
        var request = new ListObjectsV2Request { BucketName = location.Bucket, Prefix = prefix, Delimiter = "/" };
        do
        {
            var page = await s3.ListObjectsV2Async(request, ct);
            entries.AddRange((page.CommonPrefixes ?? []).Select(folder =>
                new ArtifactEntry(location.RelativePathOf(folder.TrimEnd('/')), IsDir: true, FileSize: null)));
            entries.AddRange((page.S3Objects ?? [])
                .Where(item => item.Key != prefix) // a folder marker some tools create
                .Select(item => new ArtifactEntry(location.RelativePathOf(item.Key), IsDir: false, item.Size ?? 0)));
            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);

        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return entries;
    }

    public async Task<Stream> OpenReadAsync(string relativePath, CancellationToken ct)
    {
        var key = location.KeyOf(ArtifactPath.NormalizeNonRoot(relativePath));
        try
        {
            var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = location.Bucket, Key = key }, ct);
            return new ArtifactReadStream(response.ResponseStream, response.ContentLength, response);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw FlightdeckException.NotFound($"No artifact at '{relativePath}'.");
        }
    }

    public async Task WriteAsync(string relativePath, Stream content, CancellationToken ct)
    {
        var key = location.KeyOf(ArtifactPath.NormalizeNonRoot(relativePath));
        var first = ArrayPool<byte>.Shared.Rent(PartSize);
        try
        {
            var filled = await ReadPartAsync(content, first, ct);
            if (filled < PartSize)
            {
                using var body = new MemoryStream(first, 0, filled, writable: false);
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = location.Bucket, Key = key, InputStream = body, AutoCloseStream = false }, ct);
                return;
            }

            await UploadMultipartAsync(key, content, first, filled, ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(first);
        }
    }

    public async Task DeleteAsync(string relativePath, CancellationToken ct)
    {
        var key = location.KeyOf(ArtifactPath.NormalizeNonRoot(relativePath));
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = location.Bucket, Key = key }, ct);

        var listing = new ListObjectsV2Request { BucketName = location.Bucket, Prefix = key + "/" };
        do
        {
            var page = await s3.ListObjectsV2Async(listing, ct);
            if (page.S3Objects is { Count: > 0 } objects)
            {
                await s3.DeleteObjectsAsync(new DeleteObjectsRequest
                {
                    BucketName = location.Bucket,
                    Objects = objects.Select(item => new KeyVersion { Key = item.Key }).ToList(),
                    Quiet = true,
                }, ct);
            }

            listing.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (listing.ContinuationToken is not null);
    }

    public void Dispose() => s3.Dispose();

    /// <summary>
    /// Uploads part N while part N+1 is read from the client, so the two transfers overlap; two part buffers are the
    /// most this ever holds.
    /// </summary>
    private async Task UploadMultipartAsync(string key, Stream content, byte[] first, int filled, CancellationToken ct)
    {
        var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = location.Bucket, Key = key }, ct);
        var second = ArrayPool<byte>.Shared.Rent(PartSize);
        Task<PartETag>? pending = null;
        try
        {
            var parts = new List<PartETag>();
            var (current, next) = (first, second);
            while (filled > 0)
            {
                pending = UploadPartAsync(key, upload.UploadId, parts.Count + 1, current, filled, ct);
                filled = await ReadPartAsync(content, next, ct);
                parts.Add(await pending);
                pending = null;
                (current, next) = (next, current);
            }

            await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = location.Bucket,
                Key = key,
                UploadId = upload.UploadId,
                PartETags = parts,
            }, ct);
        }
        catch
        {
            if (pending is not null)
            {
                await Task.WhenAny(pending); // its buffer must not go back to the pool while it is being sent
            }

            // Parts of an abandoned upload are billed until aborted; the caller's token may already be cancelled.
            await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = location.Bucket, Key = key, UploadId = upload.UploadId },
                CancellationToken.None);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(second);
        }
    }

    private async Task<PartETag> UploadPartAsync(string key, string uploadId, int partNumber, byte[] buffer, int length, CancellationToken ct)
    {
        using var body = new MemoryStream(buffer, 0, length, writable: false);
        var part = await s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = location.Bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = partNumber,
            InputStream = body,
            PartSize = length,
        }, ct);
        return new PartETag(partNumber, part.ETag);
    }

    /// <summary>Fills the part buffer, or as much of it as the body has left; 0 at the end.</summary>
    private static async Task<int> ReadPartAsync(Stream content, byte[] buffer, CancellationToken ct)
    {
        var filled = 0;
        while (filled < PartSize)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled, PartSize - filled), ct);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }
}
