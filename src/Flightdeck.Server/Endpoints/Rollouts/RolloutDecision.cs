using Flightdeck.Contracts;

namespace Flightdeck.Server.Endpoints.Rollouts;

public enum RolloutAction
{
    /// <summary>Keep baking the current step.</summary>
    Hold,

    /// <summary>The step baked within the guardrails: move to the next one.</summary>
    Advance,

    /// <summary>The last step baked within the guardrails: the candidate takes all traffic.</summary>
    Promote,

    /// <summary>A guardrail was breached: return all traffic to the baseline.</summary>
    Rollback,
}

/// <summary>What the guardrails make of a rollout's current step. <see cref="Reason"/> names the guardrail and the
/// numbers for a rollback, the baked step for an advance or promote, and what is awaited for a hold.</summary>
public sealed record RolloutDecision(RolloutAction Action, GuardrailReading Reading, string Reason);
