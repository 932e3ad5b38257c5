using Flightdeck.Analytics;

namespace Flightdeck.Analytics.Tests;

public class PopulationStabilityIndexTests
{
    private static double[] Range(int from, int to) => [.. Enumerable.Range(from, to - from + 1).Select(i => (double)i)];

    [Fact]
    public void Identical_samples_have_a_psi_of_zero()
    {
        var sample = Range(1, 100);

        Assert.Equal(0, PopulationStabilityIndex.Compute(sample, sample), 12);
    }

    [Fact]
    public void Two_bins_match_the_value_computed_by_hand()
    {
        // Reference 1..10: the R-7 median is 5.5, so each bin holds half of it (e = 0.5, 0.5).
        // Current: eight of ten values ≤ 5.5 (a = 0.8, 0.2).
        // PSI = (0.8 − 0.5)·ln(0.8/0.5) + (0.2 − 0.5)·ln(0.2/0.5) = 0.3·ln 1.6 + 0.3·ln 2.5 = 0.3·ln 4 ≈ 0.415888.
        double[] current = [1, 2, 3, 4, 5, 1, 2, 3, 9, 10];

        var psi = PopulationStabilityIndex.Compute(Range(1, 10), current, bins: 2);

        Assert.Equal(0.3 * Math.Log(4), psi, 12);
        Assert.Equal(0.415888, psi, 6);
    }

    [Fact]
    public void An_empty_bin_counts_as_epsilon()
    {
        // Reference 1..10 in two bins (e = 0.5, 0.5); the current sample lies all in the first (a = 1, 0 → 1e-4).
        // PSI = (1 − 0.5)·ln(1/0.5) + (1e-4 − 0.5)·ln(1e-4/0.5) = 0.346574 + 4.257745 ≈ 4.604318.
        var psi = PopulationStabilityIndex.Compute(Range(1, 10), [1.0, 2, 3], bins: 2);

        Assert.Equal(4.604318, psi, 6);
    }

    [Fact]
    public void Quartile_bins_of_a_shifted_sample_match_the_value_computed_by_hand()
    {
        // Reference 1..100, four bins: R-7 quartiles 25.75, 50.5, 75.25, so e = 0.25 each.
        // Current 26..125: none ≤ 25.75, 25 in each middle bin, 50 above 75.25: a = 0 → 1e-4, 0.25, 0.25, 0.5.
        // PSI = (1e-4 − 0.25)·ln(1e-4/0.25) + 0 + 0 + 0.25·ln 2 = 1.955229 + 0.173287 ≈ 2.128516.
        var psi = PopulationStabilityIndex.Compute(Range(1, 100), Range(26, 125), bins: 4);

        Assert.Equal(2.128516, psi, 6);
        Assert.Equal([25.75, 50.5, 75.25], PopulationStabilityIndex.QuantileEdges(Range(1, 100), 4));
    }

    [Fact]
    public void Ten_bins_is_the_default_and_each_holds_a_tenth_of_the_reference()
    {
        var edges = PopulationStabilityIndex.QuantileEdges(Range(1, 1000));

        Assert.Equal(9, edges.Length);
        Assert.Equal(100.9, edges[0], 9);
        Assert.Equal(900.1, edges[^1], 9);
    }

    [Fact]
    public void A_reference_of_few_distinct_values_gets_fewer_bins()
    {
        // Predictions of 0 and 1 only: deciles 1–4 are 0, the median interpolates to 0.5, deciles 6–9 are 1, leaving
        // the edges 0, 0.5 and 1 (bins ≤0, (0,0.5], (0.5,1], >1).
        double[] reference = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];

        Assert.Equal([0.0, 0.5, 1.0], PopulationStabilityIndex.QuantileEdges(reference));
        // e = 0.5, 0, 0.5, 0 and a = 0.8, 0, 0.2, 0: the empty bins add (1e-4 − 1e-4)·ln 1 = 0, the rest 0.3·ln 4.
        Assert.Equal(0.3 * Math.Log(4), PopulationStabilityIndex.Compute(reference, [0.0, 0, 0, 0, 0, 0, 0, 0, 1, 1]), 12);
    }

    [Fact]
    public void Two_samples_of_one_distribution_stay_under_the_moderate_shift_threshold()
    {
        var random = new Random(7);
        var reference = Enumerable.Range(0, 2000).Select(_ => random.NextDouble()).ToArray();
        var current = Enumerable.Range(0, 2000).Select(_ => random.NextDouble()).ToArray();
        var shifted = current.Select(v => v * v).ToArray();

        Assert.True(PopulationStabilityIndex.Compute(reference, current) < 0.05);
        Assert.True(PopulationStabilityIndex.Compute(reference, shifted) > 0.2);
    }

    [Fact]
    public void Empty_samples_are_refused()
    {
        Assert.Throws<ArgumentException>(() => PopulationStabilityIndex.Compute([], [1.0]));
        Assert.Throws<ArgumentException>(() => PopulationStabilityIndex.Compute([1.0], []));
    }
}
