namespace Flightdeck.Server.Endpoints.Rollouts;

/// <summary>How often the rollout controller looks at the rollouts in progress. Read at every tick, so a test can
/// change it on the running server's instance.</summary>
public sealed class RolloutControllerOptions
{
    /// <summary>Time between two evaluations of every rollout in progress (and the standby checks).</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Time between two writes of a holding step's reading onto the stored rollout (transitions always write
    /// theirs), so the API shows fresh numbers without a database write per tick.</summary>
    public TimeSpan ReadingInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Predictions each side needs before the PSI guardrail is judged.</summary>
    public int MinPsiSamples { get; set; } = GuardrailEvaluator.DefaultMinPsiSamples;
}
