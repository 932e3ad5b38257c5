using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Flightdeck.Server.Tests.Artifacts;

/// <summary>
/// A fresh bucket on the test S3 server (moto, started by scripts/services.sh and named by FLIGHTDECK_TEST_S3_ENDPOINT),
/// deleted with its objects afterwards.
/// </summary>
public sealed class S3TestBucket : IAsyncDisposable
{
    private S3TestBucket(AmazonS3Client client, string name)
    {
        Client = client;
        Name = name;
    }

    public AmazonS3Client Client { get; }

    public string Name { get; }

    public static string Endpoint =>
        Environment.GetEnvironmentVariable("FLIGHTDECK_TEST_S3_ENDPOINT")
        ?? throw new InvalidOperationException(
            "FLIGHTDECK_TEST_S3_ENDPOINT is not set: run the tests through scripts/test.sh, which starts the S3 server.");

    /// <summary>
    /// The server reads its S3 endpoint and credentials from the process environment, as in production. Every test
    /// sets the same values (the one test S3 server, moto's dummy credentials), so parallel tests agree on them.
    /// </summary>
    public static void ConfigureProcessEnvironment()
    {
        Environment.SetEnvironmentVariable("FLIGHTDECK_S3_ENDPOINT_URL", Endpoint);
        SetIfUnset("AWS_ACCESS_KEY_ID", "test");
        SetIfUnset("AWS_SECRET_ACCESS_KEY", "test");
        SetIfUnset("AWS_REGION", "us-east-1");
    }

    public static async Task<S3TestBucket> CreateAsync()
    {
        ConfigureProcessEnvironment();
        var client = new AmazonS3Client(new BasicAWSCredentials("test", "test"), new AmazonS3Config
        {
            ServiceURL = Endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });
        var name = "fd-test-" + Guid.NewGuid().ToString("N")[..20];
        await client.PutBucketAsync(new PutBucketRequest { BucketName = name });
        return new S3TestBucket(client, name);
    }

    public async Task<List<string>> KeysAsync()
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = Name };
        do
        {
            var page = await Client.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(item => item.Key));
            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    public async Task<int> PendingMultipartUploadsAsync()
    {
        var uploads = await Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Name });
        return uploads.MultipartUploads?.Count ?? 0;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var key in await KeysAsync())
            {
                await Client.DeleteObjectAsync(Name, key);
            }

            await Client.DeleteBucketAsync(Name);
        }
        catch (AmazonS3Exception)
        {
            // Best effort: moto forgets everything when it stops.
        }

        Client.Dispose();
    }

    private static void SetIfUnset(string name, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
