using System.Text;
using Flightdeck.Contracts;

namespace Flightdeck.Server.Artifacts;

/// <summary>
/// The one rule for artifact paths: relative, '/'-separated, no empty, "." or ".." segments, no backslashes or control
/// characters. Anything else is MLflow's 400 "Invalid path", so no path can name something outside the store's root.
/// </summary>
public static class ArtifactPath
{
    public const string InvalidMessage = "Invalid path";

    /// <summary>UTF-8 bytes in a path: S3's key limit (the prefix shares it).</summary>
    public const int MaxLength = 1024;

    /// <summary>UTF-8 bytes in one segment: the file name limit of common file systems, so both stores accept the same names.</summary>
    public const int MaxSegmentLength = 255;

    /// <summary>Validates a decoded store-relative path and returns it; "" (the root) is valid.</summary>
    public static string Normalize(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (raw.Length == 0)
        {
            return raw;
        }

        if (Encoding.UTF8.GetByteCount(raw) > MaxLength || IsDriveQualified(raw) || !raw.Split('/').All(IsSafeSegment))
        {
            throw Invalid();
        }

        return raw;
    }

    /// <summary>Validates a path that must name a file or folder, not the root.</summary>
    public static string NormalizeNonRoot(string raw) => Normalize(raw) is { Length: > 0 } path ? path : throw Invalid();

    public static string Combine(string dir, string name) => dir.Length == 0 ? name : $"{dir}/{name}";

    public static string FileName(string path) => path[(path.LastIndexOf('/') + 1)..];

    public static FlightdeckException Invalid() => FlightdeckException.InvalidParameter(InvalidMessage);

    /// <summary>
    /// Checks a request path as it arrived on the wire, before the server decoded it and removed dot segments:
    /// every segment, once percent-decoded, must be a safe segment (so "%2e%2e", "%2f", "%5c" and "%00" all fail).
    /// </summary>
    internal static bool IsSafeRawUrlPath(string rawPath)
    {
        if (!rawPath.StartsWith('/'))
        {
            return false;
        }

        return rawPath[1..].Split('/').All(segment => IsSafeSegment(Uri.UnescapeDataString(segment)));
    }

    private static bool IsSafeSegment(string segment) =>
        segment.Length > 0
        && segment is not ("." or "..")
        && !segment.Any(c => c == '/' || c == '\\' || char.IsControl(c))
        && Encoding.UTF8.GetByteCount(segment) <= MaxSegmentLength;

    // "C:" would be rooted on Windows; refusing it keeps the rule the same on every platform.
    private static bool IsDriveQualified(string path) => path.Length >= 2 && path[1] == ':' && char.IsAsciiLetter(path[0]);
}
