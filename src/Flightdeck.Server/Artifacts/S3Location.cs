namespace Flightdeck.Server.Artifacts;

/// <summary>An <c>s3://bucket/prefix</c> destination and the S3-compatible endpoint, if one overrides AWS's.</summary>
internal sealed record S3Location(string Bucket, string Prefix, string? EndpointUrl)
{
    public const string Scheme = "s3://";

    /// <summary>Environment variables naming an S3-compatible endpoint (MinIO, moto...), Flightdeck's first, then MLflow's.</summary>
    public static readonly string[] EndpointVariables = ["FLIGHTDECK_S3_ENDPOINT_URL", "MLFLOW_S3_ENDPOINT_URL"];

    public static bool IsS3(string destination) => destination.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    public static S3Location Parse(string destination, string? endpointUrl)
    {
        if (!IsS3(destination))
        {
            throw new ArgumentException($"Not an s3:// destination: '{destination}'.", nameof(destination));
        }

        var rest = destination[Scheme.Length..];
        var slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (bucket.Length == 0)
        {
            throw new ArgumentException($"The artifacts destination '{destination}' names no bucket.", nameof(destination));
        }

        if (prefix.Length > 0 && prefix.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            throw new ArgumentException($"The artifacts destination '{destination}' has an invalid key prefix.", nameof(destination));
        }

        return new S3Location(bucket, prefix, endpointUrl);
    }

    public static string? EndpointFromEnvironment() =>
        EndpointVariables.Select(Environment.GetEnvironmentVariable).FirstOrDefault(value => !string.IsNullOrWhiteSpace(value));

    /// <summary>The key prefix under which every artifact lives: "" or "prefix/".</summary>
    public string RootKey => Prefix.Length == 0 ? "" : Prefix + "/";

    public string KeyOf(string relativePath) => RootKey + relativePath;

    public string RelativePathOf(string key) => key[RootKey.Length..];
}
