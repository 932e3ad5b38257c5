using Flightdeck.Analytics;
using Flightdeck.Contracts;
using Flightdeck.Server.Endpoints.Rollouts;

namespace Flightdeck.Server.Tests.Endpoints.Rollouts;

public class GuardrailEvaluatorTests
{
    private static readonly DateTimeOffset StepStart = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    private static EndpointRollout Rollout(string strategy = RolloutStrategy.Canary, List<int>? steps = null, int currentStep = 0,
        int bakeSeconds = 60, RolloutGuardrails? guardrails = null) => new()
        {
            RolloutId = "r1",
            Strategy = strategy,
            ModelName = "m",
            CandidateVersion = "2",
            BaselineVersion = "1",
            Steps = steps ?? [10, 100],
            CurrentStep = currentStep,
            BakeSeconds = bakeSeconds,
            Guardrails = guardrails ?? new RolloutGuardrails(),
            StartedTimestamp = StepStart.ToUnixTimeMilliseconds(),
            StepStartedTimestamp = StepStart.ToUnixTimeMilliseconds(),
        };

    private static InferenceWindowSnapshot Window(long requests, long failures = 0, double? p99 = 5, double[]? predictions = null,
        DateTimeOffset? started = null) =>
        new(started ?? StepStart, requests, failures, requests == 0 ? null : p99, predictions ?? [], predictions?.Length ?? 0);

    private static double[] Uniform(int count, int seed, Func<double, double>? shape = null)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (shape ?? (v => v))(random.NextDouble()))];
    }

    private static DateTimeOffset After(int seconds) => StepStart.AddSeconds(seconds);

    [Fact]
    public void Holds_before_the_minimum_number_of_candidate_requests_even_when_all_failed()
    {
        var decision = GuardrailEvaluator.Evaluate(Rollout(), Window(19, failures: 19), Window(500), After(600));

        Assert.Equal(RolloutAction.Hold, decision.Action);
        Assert.Contains("19 of the 20 candidate requests", decision.Reason);
        Assert.Equal(19, decision.Reading.Requests);
        Assert.Equal(19, decision.Reading.Errors);
        Assert.Equal(1, decision.Reading.ErrorRate);
        Assert.Equal(500, decision.Reading.BaselineRequests);
    }

    [Fact]
    public void The_minimum_number_of_requests_can_be_set()
    {
        var rollout = Rollout(guardrails: new RolloutGuardrails { MinRequests = 5 });

        Assert.Equal(RolloutAction.Rollback, GuardrailEvaluator.Evaluate(rollout, Window(5, failures: 1), Window(50), After(1)).Action);
        Assert.Equal(RolloutAction.Hold, GuardrailEvaluator.Evaluate(rollout, Window(4, failures: 4), Window(50), After(1)).Action);
    }

    [Fact]
    public void An_error_rate_above_the_limit_rolls_back_at_once_naming_the_numbers()
    {
        var decision = GuardrailEvaluator.Evaluate(Rollout(), Window(400, failures: 21), Window(3600), After(5));

        Assert.Equal(RolloutAction.Rollback, decision.Action);
        Assert.Equal("error rate 0.053 (21 of 400 requests failed) exceeds 0.01", decision.Reason);
        Assert.Equal(21 / 400.0, decision.Reading.ErrorRate, 12);
    }

    [Fact]
    public void An_error_rate_at_the_limit_is_not_a_breach()
    {
        var decision = GuardrailEvaluator.Evaluate(Rollout(), Window(100, failures: 1), Window(900), After(5));

        Assert.Equal(RolloutAction.Hold, decision.Action);
    }

    [Fact]
    public void The_error_rate_limit_can_be_set()
    {
        var rollout = Rollout(guardrails: new RolloutGuardrails { MaxErrorRate = 0.1 });

        Assert.Equal(RolloutAction.Hold, GuardrailEvaluator.Evaluate(rollout, Window(100, failures: 10), Window(900), After(5)).Action);
        var decision = GuardrailEvaluator.Evaluate(rollout, Window(100, failures: 11), Window(900), After(5));
        Assert.Equal(RolloutAction.Rollback, decision.Action);
        Assert.EndsWith("exceeds 0.1", decision.Reason);
    }

    [Fact]
    public void A_p99_latency_above_a_set_limit_rolls_back()
    {
        var rollout = Rollout(guardrails: new RolloutGuardrails { MaxP99LatencyMs = 200 });

        var decision = GuardrailEvaluator.Evaluate(rollout, Window(400, p99: 250.34), Window(3600), After(5));

        Assert.Equal(RolloutAction.Rollback, decision.Action);
        Assert.Equal("p99 latency 250.3 ms over 400 requests exceeds 200 ms", decision.Reason);
        Assert.Equal(250.34, decision.Reading.P99LatencyMs);
    }

    [Fact]
    public void Latency_is_not_judged_without_a_limit()
    {
        var decision = GuardrailEvaluator.Evaluate(Rollout(), Window(400, p99: 60_000), Window(3600), After(60));

        Assert.Equal(RolloutAction.Advance, decision.Action);
        Assert.Equal(60_000, decision.Reading.P99LatencyMs);
    }

    [Fact]
    public void A_shift_of_the_prediction_distribution_rolls_back()
    {
        var candidate = Window(500, predictions: Uniform(500, 1, v => v * v * v));
        var baseline = Window(4500, predictions: Uniform(2000, 2));

        var decision = GuardrailEvaluator.Evaluate(Rollout(), candidate, baseline, After(5));

        Assert.Equal(RolloutAction.Rollback, decision.Action);
        Assert.StartsWith("prediction PSI ", decision.Reason);
        Assert.EndsWith("of the candidate's 500 predictions against the baseline's 2000 exceeds 0.2", decision.Reason);
        Assert.True(decision.Reading.PredictionPsi > 0.2);
    }

    [Fact]
    public void Predictions_from_the_same_distribution_pass_and_report_their_psi()
    {
        var candidate = Window(500, predictions: Uniform(500, 1));
        var baseline = Window(4500, predictions: Uniform(2000, 2));

        var decision = GuardrailEvaluator.Evaluate(Rollout(), candidate, baseline, After(60));

        Assert.Equal(RolloutAction.Advance, decision.Action);
        Assert.InRange(decision.Reading.PredictionPsi!.Value, 0, 0.1);
        Assert.Contains("PSI", decision.Reason);
    }

    [Fact]
    public void The_psi_limit_can_be_set()
    {
        var candidate = Window(500, predictions: Uniform(500, 1, v => v * v * v));
        var baseline = Window(4500, predictions: Uniform(2000, 2));
        var rollout = Rollout(guardrails: new RolloutGuardrails { MaxPredictionPsi = 50 });

        Assert.Equal(RolloutAction.Hold, GuardrailEvaluator.Evaluate(rollout, candidate, baseline, After(5)).Action);
    }

    [Fact]
    public void Psi_is_not_judged_until_both_sides_have_enough_predictions()
    {
        var shifted = Uniform(399, 1, v => v * v * v);
        var few = GuardrailEvaluator.Evaluate(Rollout(), Window(400, predictions: shifted), Window(4000, predictions: Uniform(2000, 2)), After(5));
        var fewBaseline = GuardrailEvaluator.Evaluate(Rollout(), Window(400, predictions: Uniform(500, 1, v => v * v * v)),
            Window(10, predictions: Uniform(10, 2)), After(5));
        var lowered = GuardrailEvaluator.Evaluate(Rollout(), Window(400, predictions: shifted), Window(4000, predictions: Uniform(2000, 2)),
            After(5), minPsiSamples: 100);

        Assert.Equal(RolloutAction.Hold, few.Action);
        Assert.Null(few.Reading.PredictionPsi);
        Assert.Equal(RolloutAction.Hold, fewBaseline.Action);
        Assert.Null(fewBaseline.Reading.PredictionPsi);
        Assert.Equal(RolloutAction.Rollback, lowered.Action);
    }

    [Fact]
    public void The_error_rate_is_reported_before_latency_and_psi_when_several_are_breached()
    {
        var rollout = Rollout(guardrails: new RolloutGuardrails { MaxP99LatencyMs = 1 });
        var candidate = Window(500, failures: 100, p99: 900, predictions: Uniform(500, 1, v => v * v * v));

        var decision = GuardrailEvaluator.Evaluate(rollout, candidate, Window(4500, predictions: Uniform(2000, 2)), After(5));

        Assert.StartsWith("error rate 0.2 ", decision.Reason);
    }

    [Fact]
    public void Holds_while_the_step_bakes_and_advances_once_baked()
    {
        var rollout = Rollout(bakeSeconds: 60);

        var baking = GuardrailEvaluator.Evaluate(rollout, Window(100), Window(900), After(59));
        var baked = GuardrailEvaluator.Evaluate(rollout, Window(100), Window(900), After(60));

        Assert.Equal(RolloutAction.Hold, baking.Action);
        Assert.Equal("step 1 of 2 (10%): baked 59 of 60 s", baking.Reason);
        Assert.Equal(RolloutAction.Advance, baked.Action);
        Assert.StartsWith("step 1 of 2 (10%) baked 60 s within the guardrails (error rate 0 over 100 requests, p99 5 ms", baked.Reason);
        Assert.Equal(After(60).ToUnixTimeMilliseconds(), baked.Reading.Timestamp);
    }

    [Fact]
    public void The_bake_counts_from_the_window_start_when_it_began_after_the_step_as_after_a_restart()
    {
        var rollout = Rollout(bakeSeconds: 60);
        var restartedWindow = Window(100, started: After(50));

        Assert.Equal(RolloutAction.Hold, GuardrailEvaluator.Evaluate(rollout, restartedWindow, Window(900), After(100)).Action);
        Assert.Equal(RolloutAction.Advance, GuardrailEvaluator.Evaluate(rollout, restartedWindow, Window(900), After(110)).Action);
    }

    [Fact]
    public void The_bake_counts_from_the_step_start_of_a_later_step()
    {
        var rollout = Rollout(steps: [5, 25, 50, 100], currentStep: 2, bakeSeconds: 30) with
        {
            StepStartedTimestamp = After(100).ToUnixTimeMilliseconds(),
        };

        Assert.Equal(RolloutAction.Hold, GuardrailEvaluator.Evaluate(rollout, Window(100), Window(900), After(129)).Action);
        var decision = GuardrailEvaluator.Evaluate(rollout, Window(100), Window(900), After(130));
        Assert.Equal(RolloutAction.Advance, decision.Action);
        Assert.StartsWith("step 3 of 4 (50%)", decision.Reason);
    }

    [Fact]
    public void The_last_step_promotes_once_baked()
    {
        var rollout = Rollout(strategy: RolloutStrategy.Linear, steps: [10, 20, 100], currentStep: 2);

        var decision = GuardrailEvaluator.Evaluate(rollout, Window(100), Window(0), After(60));

        Assert.Equal(RolloutAction.Promote, decision.Action);
        Assert.StartsWith("step 3 of 3 (100%) baked 60 s", decision.Reason);
        Assert.Null(decision.Reading.PredictionPsi);
    }

    [Fact]
    public void A_rollout_without_traffic_never_advances()
    {
        Assert.Equal(RolloutAction.Hold, GuardrailEvaluator.Evaluate(Rollout(), Window(0), Window(0), After(100_000)).Action);
    }

    [Fact]
    public void A_zero_second_bake_advances_as_soon_as_the_minimum_requests_passed()
    {
        var decision = GuardrailEvaluator.Evaluate(Rollout(bakeSeconds: 0), Window(20), Window(200), StepStart);

        Assert.Equal(RolloutAction.Advance, decision.Action);
    }

    [Fact]
    public void Blue_green_rolls_back_on_a_breach_during_its_bake()
    {
        var rollout = Rollout(strategy: RolloutStrategy.BlueGreen, steps: [100]);

        var decision = GuardrailEvaluator.Evaluate(rollout, Window(50, failures: 3), Window(0), After(2));

        Assert.Equal(RolloutAction.Rollback, decision.Action);
        Assert.Equal("error rate 0.06 (3 of 50 requests failed) exceeds 0.01", decision.Reason);
    }

    [Fact]
    public void Blue_green_promotes_after_a_clean_bake()
    {
        var rollout = Rollout(strategy: RolloutStrategy.BlueGreen, steps: [100]);

        Assert.Equal(RolloutAction.Hold, GuardrailEvaluator.Evaluate(rollout, Window(50), Window(0), After(30)).Action);
        var decision = GuardrailEvaluator.Evaluate(rollout, Window(50), Window(0), After(60));
        Assert.Equal(RolloutAction.Promote, decision.Action);
        Assert.StartsWith("step 1 of 1 (100%) baked 60 s", decision.Reason);
    }

    [Fact]
    public void A_shadow_advances_its_mirrored_share_but_holds_at_the_last_step_for_a_manual_promote()
    {
        var first = Rollout(strategy: RolloutStrategy.Shadow, steps: [20, 100]);
        var last = first with { CurrentStep = 1 };

        var advance = GuardrailEvaluator.Evaluate(first, Window(100), Window(900), After(60));
        var hold = GuardrailEvaluator.Evaluate(last, Window(100), Window(900), After(600));

        Assert.Equal(RolloutAction.Advance, advance.Action);
        Assert.StartsWith("step 1 of 2 (20% mirrored) baked", advance.Reason);
        Assert.Equal(RolloutAction.Hold, hold.Action);
        Assert.EndsWith("waiting for a manual promote", hold.Reason);
        Assert.Equal(100, hold.Reading.Requests);
    }

    [Fact]
    public void A_shadow_that_breaches_after_its_bake_is_still_rolled_back()
    {
        var rollout = Rollout(strategy: RolloutStrategy.Shadow, steps: [100]);

        var decision = GuardrailEvaluator.Evaluate(rollout, Window(1000, failures: 50), Window(1000), After(3600));

        Assert.Equal(RolloutAction.Rollback, decision.Action);
        Assert.StartsWith("error rate 0.05 (50 of 1000 requests failed)", decision.Reason);
    }
}
