using System.Text.RegularExpressions;
using Flightdeck.Contracts;

namespace Flightdeck.Server.Tracking;

/// <summary>MLflow's input limits and messages (mlflow/utils/validation.py), so MLflow clients see the errors they expect.</summary>
internal static partial class Validation
{
    public const int MaxKeyLength = 250;
    public const int MaxParamValueLength = 6000;
    public const int MaxTagValueLength = 5000;
    public const int MaxExperimentNameLength = 500;
    public const int MaxRunNameLength = 250;
    public const int MaxBatchMetrics = 1000;
    public const int MaxBatchParams = 100;
    public const int MaxBatchTags = 100;
    public const int MaxBatchEntities = 1000;
    public const int MaxUserIdLength = 256;
    public const int MaxDatasetSourceTypeLength = 36;
    public const int MaxDatasetNameLength = 500;
    public const int MaxDatasetDigestLength = 36;
    public const int MaxDatasetSourceLength = 65535;
    public const int MaxDatasetSchemaLength = 1_048_575;
    public const int MaxDatasetProfileLength = 16_777_215;
    public const int MaxInputTagKeyLength = 255;
    public const int MaxInputTagValueLength = 500;
    public const int MaxSearchResults = 50_000;

    [GeneratedRegex(@"^[/\w.\- ]*$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^[a-zA-Z0-9][\w\-]{0,255}$")]
    private static partial Regex RunIdPattern();

    public static FlightdeckException Missing(string parameter) => FlightdeckException.InvalidParameter(
        $"Missing value for required parameter '{parameter}'. See the API docs for more information about request parameters.");

    public static FlightdeckException Invalid(string parameter, object? value) => FlightdeckException.InvalidParameter(
        $"Invalid value {Shorten(value?.ToString() ?? "null")} for parameter '{parameter}' supplied.");

    public static string Required(string? value, string parameter) =>
        string.IsNullOrEmpty(value) ? throw Missing(parameter) : value;

    public static T Required<T>(T? value, string parameter) where T : struct =>
        value ?? throw Missing(parameter);

    /// <summary>Metric, param and tag keys: MLflow's character set, a length cap, and stable under path normalisation.</summary>
    public static string Key(string? key, string kind, string parameter = "key")
    {
        if (key is null)
        {
            throw Missing(parameter);
        }

        if (!KeyPattern().IsMatch(key))
        {
            throw FlightdeckException.InvalidParameter(
                $"Invalid {kind} name: '{Shorten(key)}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).");
        }

        if (key.Length > MaxKeyLength)
        {
            throw FlightdeckException.InvalidParameter($"'{parameter}' exceeds the maximum length of {MaxKeyLength} characters");
        }

        if (!IsPathStable(key))
        {
            throw FlightdeckException.InvalidParameter(
                $"Invalid {kind} name: '{Shorten(key)}'. Names cannot be paths that change when normalized (e.g. '..', '//', leading '/' or './').");
        }

        return key;
    }

    public static string Value(string? value, int maxLength, string kind, string key, string parameter = "value")
    {
        if (value is null)
        {
            throw Missing(parameter);
        }

        if (value.Length > maxLength)
        {
            throw FlightdeckException.InvalidParameter(
                $"{kind} value '{Shorten(value)}' had length {value.Length}, which exceeded length limit of {maxLength} (key '{Shorten(key)}')");
        }

        return value;
    }

    public static string RunId(string? runId)
    {
        if (string.IsNullOrEmpty(runId))
        {
            throw Missing("run_id");
        }

        // An id that cannot exist is a missing run, as MLflow answers for any unknown id.
        return RunIdPattern().IsMatch(runId) ? runId : throw RunNotFound(runId);
    }

    public static FlightdeckException RunNotFound(string runId) => FlightdeckException.NotFound($"Run with id={Shorten(runId)} not found");

    public static FlightdeckException ExperimentNotFound(string experimentId) =>
        FlightdeckException.NotFound($"No Experiment with id={Shorten(experimentId)} exists");

    /// <summary>Experiment ids are integers; anything else names no experiment.</summary>
    public static long ExperimentId(string? experimentId, string parameter = "experiment_id")
    {
        if (string.IsNullOrEmpty(experimentId))
        {
            throw Missing(parameter);
        }

        return long.TryParse(experimentId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? id
            : throw ExperimentNotFound(experimentId);
    }

    public static long Timestamp(long? value, string parameter) =>
        value switch
        {
            null => throw Missing(parameter),
            < 0 => throw Invalid(parameter, value),
            _ => value.Value,
        };

    public static int MaxResults(long? requested, int defaultValue, int max, string parameter = "max_results") =>
        requested switch
        {
            null => defaultValue,
            < 1 or > int.MaxValue => throw Invalid(parameter, requested),
            > 0 when requested > max => throw FlightdeckException.InvalidParameter(
                $"Invalid value {requested} for parameter '{parameter}' supplied. It must be at most {max}."),
            _ => (int)requested.Value,
        };

    private static bool IsPathStable(string key)
    {
        if (key.Length == 0)
        {
            return true;
        }

        if (key.StartsWith('/') || key.EndsWith('/') || key.Contains("//", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment is "." or "..")
            {
                return false;
            }
        }

        return true;
    }

    public static string Shorten(string value) => value.Length <= 120 ? value : string.Concat(value.AsSpan(0, 117), "...");
}
