using System.Text.RegularExpressions;
using Flightdeck.Contracts;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Endpoints;

/// <summary>What the endpoints API accepts, and its errors: bad input 400, unknown endpoint 404, conflicts 409.</summary>
internal static partial class EndpointValidation
{
    public const int MaxDescriptionLength = 5000;
    public const int MaxReasonLength = 2000;
    public const int MaxBakeSeconds = 7 * 24 * 3600;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    public static string Name(string? name) =>
        name is null || name.Length == 0 ? throw Validation.Missing("name")
        : NamePattern().IsMatch(name) ? name
        : throw FlightdeckException.InvalidParameter(
            $"Invalid endpoint name '{Validation.Shorten(name)}': use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.");

    public static string? Description(string? description) =>
        description is { Length: > MaxDescriptionLength }
            ? throw FlightdeckException.InvalidParameter($"'description' exceeds the maximum length of {MaxDescriptionLength} characters.")
            : description;

    public static string? Reason(string? reason) =>
        reason is { Length: > MaxReasonLength }
            ? throw FlightdeckException.InvalidParameter($"'reason' exceeds the maximum length of {MaxReasonLength} characters.")
            : reason;

    public static EndpointSettings Settings(EndpointSettings? settings)
    {
        settings ??= new EndpointSettings();
        Range(settings.MaxBatchSize, 1, 10_000, "settings.max_batch_size");
        Range(settings.MaxBatchDelayMs, 0, 10_000, "settings.max_batch_delay_ms");
        Range(settings.RequestTimeoutMs, 1, 3_600_000, "settings.request_timeout_ms");
        Range(settings.InferenceLogSampleRate, 0, 1, "settings.inference_log_sample_rate");
        return settings;
    }

    /// <summary>Settings given in a PATCH replace only the fields they carry.</summary>
    public static EndpointSettings Merge(EndpointSettings current, EndpointSettings? change) => change is null ? current : Settings(new EndpointSettings
    {
        MaxBatchSize = change.MaxBatchSize ?? current.MaxBatchSize,
        MaxBatchDelayMs = change.MaxBatchDelayMs ?? current.MaxBatchDelayMs,
        RequestTimeoutMs = change.RequestTimeoutMs ?? current.RequestTimeoutMs,
        InferenceLogSampleRate = change.InferenceLogSampleRate ?? current.InferenceLogSampleRate,
    });

    /// <summary>Manual routes: known roles, weights 0–100, LIVE and CANDIDATE adding up to 100, each version once.</summary>
    public static List<EndpointRoute> Routes(List<EndpointRoute> routes)
    {
        if (routes.Count == 0)
            throw FlightdeckException.InvalidParameter("'routes' must name at least one LIVE route.");
        if (routes.Count > 16)
            throw FlightdeckException.InvalidParameter("An endpoint routes to at most 16 versions.");
        foreach (var route in routes)
        {
            if (route.Role is not (RouteRole.Live or RouteRole.Candidate or RouteRole.Shadow or RouteRole.Standby))
                throw FlightdeckException.InvalidParameter(
                    $"Invalid route role '{Validation.Shorten(route.Role ?? "")}'; use LIVE, CANDIDATE, SHADOW or STANDBY.");
            if (route.Weight is < 0 or > 100)
                throw FlightdeckException.InvalidParameter($"Invalid weight {route.Weight} for version {Validation.Shorten(route.Version ?? "")}: weights are 0 to 100.");
            if (route.Role == RouteRole.Standby && route.Weight != 0)
                throw FlightdeckException.InvalidParameter("A STANDBY route takes no traffic: its weight must be 0.");
            if (string.IsNullOrEmpty(route.ModelName))
                throw Validation.Missing("routes.model_name");
            if (string.IsNullOrEmpty(route.Version))
                throw Validation.Missing("routes.version");
        }

        if (routes.GroupBy(r => (r.ModelName, r.Version)).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw FlightdeckException.InvalidParameter($"Version {twice.Key.Version} of '{Validation.Shorten(twice.Key.ModelName)}' has more than one route.");
        if (!routes.Any(r => r.Role == RouteRole.Live))
            throw FlightdeckException.InvalidParameter("'routes' must have a LIVE route.");
        var serving = routes.Where(r => r.Role is RouteRole.Live or RouteRole.Candidate).Sum(r => r.Weight);
        if (serving != 100)
            throw FlightdeckException.InvalidParameter($"The weights of the LIVE and CANDIDATE routes add up to {serving}; they must add up to 100.");
        return routes;
    }

    /// <summary>The strategy and steps of a deploy, with the documented defaults filled in.</summary>
    public static (string Strategy, List<int> Steps) Strategy(string? strategy, List<int>? steps)
    {
        strategy = string.IsNullOrEmpty(strategy) ? RolloutStrategy.Canary : strategy.ToUpperInvariant();
        List<int> defaults = strategy switch
        {
            RolloutStrategy.Canary => [10, 100],
            RolloutStrategy.Linear => [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
            RolloutStrategy.BlueGreen => [100],
            RolloutStrategy.Shadow => [100],
            _ => throw FlightdeckException.InvalidParameter(
                $"Invalid strategy '{Validation.Shorten(strategy)}'; use CANARY, LINEAR, BLUE_GREEN or SHADOW."),
        };
        if (steps is null || steps.Count == 0)
            return (strategy, defaults);
        if (steps.Count > 100)
            throw FlightdeckException.InvalidParameter("A rollout has at most 100 steps.");
        if (steps.Any(s => s is < 1 or > 100))
            throw FlightdeckException.InvalidParameter("Every step is a traffic percent from 1 to 100.");
        for (var i = 1; i < steps.Count; i++)
        {
            if (steps[i] <= steps[i - 1])
                throw FlightdeckException.InvalidParameter($"Steps must go up: step {i} ({steps[i]}) is not above step {i - 1} ({steps[i - 1]}).");
        }

        if (strategy == RolloutStrategy.BlueGreen && steps is not [100])
            throw FlightdeckException.InvalidParameter("A BLUE_GREEN rollout switches all traffic at once: its steps are [100].");
        if (strategy != RolloutStrategy.Shadow && steps[^1] != 100)
            throw FlightdeckException.InvalidParameter($"The last step of a {strategy} rollout must be 100, not {steps[^1]}.");
        return (strategy, steps);
    }

    public static int Seconds(int? value, int defaultValue, string parameter)
    {
        var seconds = value ?? defaultValue;
        return seconds is < 0 or > MaxBakeSeconds
            ? throw FlightdeckException.InvalidParameter($"'{parameter}' must be between 0 and {MaxBakeSeconds} seconds.")
            : seconds;
    }

    public static RolloutGuardrails Guardrails(RolloutGuardrails? guardrails)
    {
        guardrails ??= new RolloutGuardrails();
        Range(guardrails.MaxErrorRate, 0, 1, "guardrails.max_error_rate");
        Range(guardrails.MaxP99LatencyMs, 0, 3_600_000, "guardrails.max_p99_latency_ms");
        Range(guardrails.MaxPredictionPsi, 0, 1000, "guardrails.max_prediction_psi");
        Range(guardrails.MinRequests, 0, 100_000_000, "guardrails.min_requests");
        return guardrails;
    }

    public static FlightdeckException NotFound(string name) =>
        FlightdeckException.NotFound($"Endpoint '{Validation.Shorten(name)}' does not exist.");

    public static FlightdeckException AlreadyExists(string name) =>
        FlightdeckException.AlreadyExists($"Endpoint '{Validation.Shorten(name)}' already exists.");

    public static FlightdeckException Conflict(string message) => new(ErrorCode.ResourceConflict, message);

    private static void Range(double? value, double min, double max, string parameter)
    {
        if (value is { } v && (double.IsNaN(v) || v < min || v > max))
            throw FlightdeckException.InvalidParameter($"'{parameter}' must be between {min} and {max}, not {v}.");
    }
}
