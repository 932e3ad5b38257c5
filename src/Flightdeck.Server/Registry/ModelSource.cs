using Flightdeck.Contracts;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Registry;

/// <summary>
/// A model version's <c>source</c>. Whatever later downloads or serves the model resolves it, so traversal and
/// encoded separators are refused outright, before and after one round of URL decoding.
/// </summary>
internal static class ModelSource
{
    public const int MaxLength = 2000;
    public const string RunsScheme = "runs:/";

    private static readonly string[] Forbidden = ["..", "%2f", "%00", "\0"];

    public static string Validate(string? source)
    {
        var value = Validation.Required(source, "source");
        if (value.Length > MaxLength)
        {
            throw FlightdeckException.InvalidParameter($"'source' exceeds the maximum length of {MaxLength} characters");
        }

        if (IsUnsafe(value) || IsUnsafe(Uri.UnescapeDataString(value)))
        {
            throw FlightdeckException.InvalidParameter(
                $"Invalid model version source: '{Validation.Shorten(value.Replace("\0", "\\0", StringComparison.Ordinal))}'. "
                + "A source must not contain '..', '%2f' or '%00'.");
        }

        return value;
    }

    /// <summary>Splits <c>runs:/RUN_ID/path</c> into the run id and the path under its artifacts; null for other sources.</summary>
    public static (string RunId, string Path)? ParseRunsUri(string source)
    {
        if (!source.StartsWith(RunsScheme, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = source[RunsScheme.Length..].TrimStart('/');
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var runId = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (runId.Length == 0)
        {
            throw FlightdeckException.InvalidParameter($"Invalid model version source: '{Validation.Shorten(source)}'. Expected runs:/<run_id>/<path>.");
        }

        return (Validation.RunId(runId), path);
    }

    /// <summary>A path on the server's file system: no URI scheme (a drive letter is not one), or <c>file:</c>.</summary>
    public static bool IsLocal(string source)
    {
        var colon = source.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon <= 1 ? null : source[..colon];
        return scheme is null || !scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.')
            || scheme.Equals("file", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Whether a local source lies inside a run's artifact directory. Both are compared as plain paths; traversal was
    /// refused by <see cref="Validate"/>, so a prefix test is exact.
    /// </summary>
    public static bool IsUnder(string source, string runArtifactUri)
    {
        if (!IsLocal(runArtifactUri))
        {
            return false;
        }

        var path = LocalPath(source);
        var root = LocalPath(runArtifactUri).TrimEnd('/');
        return root.Length > 0 && (path == root || path.StartsWith(root + "/", StringComparison.Ordinal));
    }

    public static FlightdeckException LocalSourceOutsideRun(string source) => FlightdeckException.InvalidParameter(
        $"Invalid model version source: '{Validation.Shorten(source)}'. To use a local path as a model version source, the run_id request "
        + "parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.");

    private static string LocalPath(string uri)
    {
        var path = uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? uri["file:".Length..] : uri;
        if (path.StartsWith("//", StringComparison.Ordinal))
        {
            path = path[2..]; // file://host/path or file:///path: the empty or local host is dropped with its slashes
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            path = slash < 0 ? "/" : path[slash..];
        }

        return path.Replace('\\', '/');
    }

    private static bool IsUnsafe(string text) => Forbidden.Any(f => text.Contains(f, StringComparison.OrdinalIgnoreCase));
}
