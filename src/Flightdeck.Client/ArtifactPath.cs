using Flightdeck.Contracts;

namespace Flightdeck.Client;

/// <summary>
/// Artifact locations: run artifact URIs of the form <c>mlflow-artifacts:/&lt;exp&gt;/&lt;run&gt;/artifacts</c> are served by the
/// tracking server's artifact proxy at <c>/api/2.0/mlflow-artifacts/artifacts/&lt;exp&gt;/&lt;run&gt;/artifacts/...</c>.
/// </summary>
public static class ArtifactPath
{
    /// <summary>The scheme of artifact URIs served by the tracking server itself.</summary>
    public const string ProxyScheme = "mlflow-artifacts";

    internal const string ProxyRoute = "api/2.0/mlflow-artifacts/artifacts";

    /// <summary>
    /// The proxy path of an artifact URI: <c>mlflow-artifacts:/1/abc/artifacts</c> (or <c>mlflow-artifacts://host/1/abc/artifacts</c>)
    /// gives <c>1/abc/artifacts</c>. Other schemes (s3://, file paths) are not reachable through the server.
    /// </summary>
    public static string ToProxyPath(string artifactUri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(artifactUri);
        var prefix = ProxyScheme + ":";
        if (!artifactUri.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            throw new FlightdeckException(ErrorCode.InvalidParameterValue,
                $"The artifact location '{artifactUri}' is not served by the tracking server (expected {ProxyScheme}:/...); "
                + "the server must be started with a proxied artifact destination.");
        }

        var rest = artifactUri[prefix.Length..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            // mlflow-artifacts://host:port/path names the server explicitly; the path is what matters here.
            var slash = rest.IndexOf('/', 2);
            rest = slash < 0 ? "" : rest[slash..];
        }

        return Normalize(rest);
    }

    /// <summary>Joins path parts with '/', dropping empty parts and redundant slashes.</summary>
    public static string Combine(params string?[] parts) =>
        string.Join('/', parts.Where(p => !string.IsNullOrEmpty(p)).Select(p => p!.Trim('/')).Where(p => p.Length > 0));

    /// <summary>
    /// A relative artifact path with forward slashes. Absolute paths, '..' and '.' segments are refused: the server would
    /// refuse them too, and a download must never write outside its destination.
    /// </summary>
    public static string Normalize(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "";
        }

        var segments = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s is ".." or "."))
        {
            throw new FlightdeckException(ErrorCode.InvalidParameterValue, $"Invalid artifact path '{path}': '.' and '..' segments are not allowed.");
        }

        return string.Join('/', segments);
    }

    /// <summary>The route of a proxy path, each segment percent-encoded.</summary>
    internal static string ToRoute(string proxyPath) =>
        proxyPath.Length == 0 ? ProxyRoute : ProxyRoute + "/" + string.Join('/', proxyPath.Split('/').Select(Uri.EscapeDataString));

    /// <summary>The last segment of a path.</summary>
    internal static string LastSegment(string path)
    {
        var trimmed = path.TrimEnd('/');
        return trimmed[(trimmed.LastIndexOf('/') + 1)..];
    }
}
