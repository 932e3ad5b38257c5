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

    private static bool IsUnsafe(string text) => Forbidden.Any(f => text.Contains(f, StringComparison.OrdinalIgnoreCase));
}
