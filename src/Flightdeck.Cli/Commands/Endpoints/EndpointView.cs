using System.Globalization;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Contracts;
using Spectre.Console;

namespace Flightdeck.Cli.Commands.Endpoints;

/// <summary>How endpoints, routes, rollouts and readings read on a terminal; shared by status, list, history and deploy --wait.</summary>
internal static class EndpointView
{
    private const int BarWidth = 20;

    /// <summary>"fraud v1 90% · v2 10% (canary)": the traffic in one line.</summary>
    public static string Traffic(IReadOnlyList<EndpointRoute> routes)
    {
        var oneModel = routes.Select(r => r.ModelName).Distinct().Count() <= 1;
        var parts = routes.Select(r =>
        {
            var who = oneModel ? $"v{r.Version}" : $"{r.ModelName} v{r.Version}";
            var role = r.Role == RouteRole.Live ? "" : $" ({r.Role.ToLowerInvariant()})";
            return $"{who} {r.Weight}%{role}";
        });
        var prefix = oneModel && routes.Count > 0 ? routes[0].ModelName + " " : "";
        return prefix + string.Join(" · ", parts);
    }

    /// <summary>A text bar of a percent: filled blocks then light shade, <see cref="BarWidth"/> wide.</summary>
    public static string Bar(int percent)
    {
        var filled = (int)Math.Round(Math.Clamp(percent, 0, 100) * BarWidth / 100.0);
        return new string('█', filled) + new string('░', BarWidth - filled);
    }

    public static void WriteRoutes(IAnsiConsole console, IReadOnlyList<EndpointRoute> routes)
    {
        var table = Output.Table("Model", "Version", "Role", "Weight", "Traffic");
        foreach (var route in routes)
        {
            Output.Row(table, route.ModelName, route.Version, route.Role, $"{route.Weight}%", Bar(route.Weight));
        }

        console.Write(table);
    }

    public static void WriteRollout(IAnsiConsole console, EndpointRollout rollout)
    {
        Output.Details(console,
            ("Rollout", $"{rollout.RolloutId} ({Strategy(rollout.Strategy)})"),
            ("Status", rollout.Status),
            ("Candidate", $"{rollout.ModelName} v{rollout.CandidateVersion}"),
            ("Baseline", rollout.BaselineVersion is null ? "" : $"{rollout.BaselineModelName ?? rollout.ModelName} v{rollout.BaselineVersion}"),
            ("Step", Step(rollout)),
            ("Bake", $"{rollout.BakeSeconds}s per step" + (rollout.TerminationWaitSeconds > 0 ? $", termination wait {rollout.TerminationWaitSeconds}s" : "")),
            ("Guardrails", Guardrails(rollout.Guardrails)),
            ("Started", Output.Time(rollout.StartedTimestamp)),
            ("Finished", Output.Time(rollout.FinishedTimestamp)),
            ("Last reading", rollout.LastReading is null ? "none yet" : Reading(rollout.LastReading)),
            ("Reason", rollout.Reason));
    }

    public static void WriteEvents(IAnsiConsole console, IEnumerable<EndpointEvent> events)
    {
        var table = Output.Table("Time", "Event", "Traffic after", "Rollout", "Reason");
        foreach (var change in events)
        {
            Output.Row(table, Output.Time(change.Timestamp), change.Type, Traffic(change.Routes), ShortId(change.RolloutId),
                change.Reason ?? (change.Reading is null ? null : Reading(change.Reading)));
        }

        console.Write(table);
    }

    /// <summary>The first 12 hex digits of a rollout id: enough to tell rollouts apart in a table.</summary>
    public static string? ShortId(string? rolloutId) => rolloutId is { Length: > 12 } ? rolloutId[..12] : rolloutId;

    /// <summary>"step 2/3: 50%".</summary>
    public static string Step(EndpointRollout rollout) => rollout.Steps.Count == 0
        ? ""
        : $"{Math.Min(rollout.CurrentStep + 1, rollout.Steps.Count)}/{rollout.Steps.Count}: "
            + $"{rollout.Steps[Math.Clamp(rollout.CurrentStep, 0, rollout.Steps.Count - 1)]}%"
            + (rollout.Strategy == RolloutStrategy.Shadow ? " mirrored" : "");

    /// <summary>"120 requests, 1 errors (0.83%), p99 12.3 ms, PSI 0.041 (baseline 1080 requests)".</summary>
    public static string Reading(GuardrailReading reading)
    {
        var text = $"{reading.Requests} requests, {reading.Errors} errors ({reading.ErrorRate.ToString("P2", CultureInfo.InvariantCulture)})";
        if (reading.P99LatencyMs is { } p99)
        {
            text += $", p99 {Output.Number(Math.Round(p99, 2))} ms";
        }

        if (reading.PredictionPsi is { } psi)
        {
            text += $", PSI {Output.Number(Math.Round(psi, 4))}";
        }

        return text + $" (baseline {reading.BaselineRequests} requests)";
    }

    public static string Guardrails(RolloutGuardrails guardrails)
    {
        var parts = new List<string>();
        if (guardrails.MaxErrorRate is { } errors)
        {
            parts.Add($"error rate ≤ {Output.Number(errors)}");
        }

        if (guardrails.MaxP99LatencyMs is { } p99)
        {
            parts.Add($"p99 ≤ {Output.Number(p99)} ms");
        }

        if (guardrails.MaxPredictionPsi is { } psi)
        {
            parts.Add($"PSI ≤ {Output.Number(psi)}");
        }

        if (guardrails.MinRequests is { } min)
        {
            parts.Add($"judged after {min} requests");
        }

        return parts.Count == 0 ? "server defaults" : string.Join(", ", parts);
    }

    public static string Strategy(string strategy) => strategy.ToLowerInvariant().Replace('_', '-');
}
