using System.Globalization;
using Flightdeck.Analytics;
using Flightdeck.Contracts;

namespace Flightdeck.Server.Endpoints.Rollouts;

/// <summary>
/// Judges a rollout's current step from the candidate's and the baseline's bake windows. The rules, in order:
/// <list type="number">
/// <item>Nothing is judged before the candidate has served <c>MinRequests</c> (default 20) requests in the window:
/// Hold. A rollout that gets no traffic therefore never advances on its own.</item>
/// <item>A breach rolls back at once, without waiting for the bake to end: error rate above <c>MaxErrorRate</c>
/// (default 0.01); p99 latency above <c>MaxP99LatencyMs</c> (only when set); PSI of the candidate's predictions against
/// the baseline's over the same window above <c>MaxPredictionPsi</c> (default 0.2), judged only once both sides have
/// <see cref="DefaultMinPsiSamples"/> predictions, since small samples give large PSIs by chance (two samples of
/// 100 from one distribution average about 0.18 over 10 bins).</item>
/// <item>Otherwise the step bakes <c>BakeSeconds</c>, counted from the later of the step's start and the window's
/// start: after a server restart the windows start empty and the step bakes in full again, so a restart never lets a
/// step pass on data nobody saw.</item>
/// <item>A baked step advances to the next; the last one promotes. Blue-green has one step (all traffic on the new
/// version, the old one on STANDBY so rollback is instant): a breach during its bake rolls back, a clean bake promotes,
/// and the controller releases the standby after <c>TerminationWaitSeconds</c>.</item>
/// <item>Shadow: the candidate's numbers are those of its mirrored (discarded) answers. Its steps advance like a
/// canary's, but a shadow that has baked its last step is not promoted automatically, because passing in the dark is
/// evidence, not a decision to put it live: it holds, keeps reporting readings, and waits for a manual promote; a
/// breach at any time rolls it back, removing the shadow.</item>
/// </list>
/// </summary>
public static class GuardrailEvaluator
{
    public const double DefaultMaxErrorRate = 0.01;
    public const double DefaultMaxPredictionPsi = 0.2;
    public const int DefaultMinRequests = 20;
    public const int DefaultMinPsiSamples = 400;

    public static RolloutDecision Evaluate(EndpointRollout rollout, InferenceWindowSnapshot candidate,
        InferenceWindowSnapshot baseline, DateTimeOffset now, int minPsiSamples = DefaultMinPsiSamples)
    {
        var guardrails = rollout.Guardrails;
        var psi = candidate.Predictions.Length >= minPsiSamples && baseline.Predictions.Length >= minPsiSamples
            ? PopulationStabilityIndex.Compute(baseline.Predictions, candidate.Predictions)
            : (double?)null;
        var reading = new GuardrailReading
        {
            Timestamp = now.ToUnixTimeMilliseconds(),
            Requests = candidate.Requests,
            Errors = candidate.Failures,
            ErrorRate = candidate.ErrorRate,
            P99LatencyMs = candidate.P99LatencyMs,
            PredictionPsi = psi,
            BaselineRequests = baseline.Requests,
        };
        var step = Describe(rollout);

        var minRequests = guardrails.MinRequests ?? DefaultMinRequests;
        if (candidate.Requests < minRequests)
            return Hold(reading, $"{step}: {candidate.Requests} of the {minRequests} candidate requests needed to judge");

        if (Breach(guardrails, candidate, psi, baseline) is { } breach)
            return new RolloutDecision(RolloutAction.Rollback, reading, breach);

        var bakeStart = Math.Max(rollout.StepStartedTimestamp, candidate.Started.ToUnixTimeMilliseconds());
        var baked = TimeSpan.FromMilliseconds(now.ToUnixTimeMilliseconds() - bakeStart);
        if (baked < TimeSpan.FromSeconds(rollout.BakeSeconds))
            return Hold(reading, $"{step}: baked {Seconds(baked)} of {rollout.BakeSeconds} s");

        var summary = $"{step} baked {rollout.BakeSeconds} s within the guardrails ({Summary(reading)})";
        var lastStep = rollout.CurrentStep >= rollout.Steps.Count - 1;
        if (!lastStep)
            return new RolloutDecision(RolloutAction.Advance, reading, summary);
        return rollout.Strategy == RolloutStrategy.Shadow
            ? Hold(reading, $"{summary}; waiting for a manual promote")
            : new RolloutDecision(RolloutAction.Promote, reading, summary);
    }

    private static string? Breach(RolloutGuardrails guardrails, InferenceWindowSnapshot candidate, double? psi,
        InferenceWindowSnapshot baseline)
    {
        var maxErrorRate = guardrails.MaxErrorRate ?? DefaultMaxErrorRate;
        if (candidate.ErrorRate > maxErrorRate)
            return $"error rate {Number(candidate.ErrorRate)} ({candidate.Failures} of {candidate.Requests} requests failed) " +
                $"exceeds {Number(maxErrorRate)}";
        if (guardrails.MaxP99LatencyMs is { } maxP99 && candidate.P99LatencyMs is { } p99 && p99 > maxP99)
            return $"p99 latency {Number(p99)} ms over {candidate.Requests} requests exceeds {Number(maxP99)} ms";
        var maxPsi = guardrails.MaxPredictionPsi ?? DefaultMaxPredictionPsi;
        if (psi > maxPsi)
            return $"prediction PSI {Number(psi.Value)} of the candidate's {candidate.PredictionsSeen} predictions against " +
                $"the baseline's {baseline.PredictionsSeen} exceeds {Number(maxPsi)}";
        return null;
    }

    private static RolloutDecision Hold(GuardrailReading reading, string reason) => new(RolloutAction.Hold, reading, reason);

    private static string Describe(EndpointRollout rollout)
    {
        var percent = rollout.CurrentStep < rollout.Steps.Count ? rollout.Steps[rollout.CurrentStep] : 0;
        var share = rollout.Strategy == RolloutStrategy.Shadow ? $"{percent}% mirrored" : $"{percent}%";
        return $"step {rollout.CurrentStep + 1} of {rollout.Steps.Count} ({share})";
    }

    private static string Summary(GuardrailReading reading)
    {
        var parts = new List<string> { $"error rate {Number(reading.ErrorRate)} over {reading.Requests} requests" };
        if (reading.P99LatencyMs is { } p99)
            parts.Add($"p99 {Number(p99)} ms");
        if (reading.PredictionPsi is { } psi)
            parts.Add($"PSI {Number(psi)}");
        return string.Join(", ", parts);
    }

    private static string Seconds(TimeSpan span) => Math.Max(0, span.TotalSeconds).ToString("0.#", CultureInfo.InvariantCulture);

    // Three significant decimals are enough to read a breach (0.052, 0.2, 250.3) without float noise.
    private static string Number(double value) => value.ToString(Math.Abs(value) >= 100 ? "0.#" : "0.###", CultureInfo.InvariantCulture);
}
