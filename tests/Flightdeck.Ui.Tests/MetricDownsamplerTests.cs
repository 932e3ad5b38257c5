using Flightdeck.Server.Ui;

namespace Flightdeck.Ui.Tests;

public sealed class MetricDownsamplerTests
{
    [Fact]
    public void A_series_within_the_budget_is_kept_whole()
    {
        long[] steps = [0, 1, 2, 3];
        double[] values = [4, 3, 2, 1];

        Assert.Equal([0, 1, 2, 3], MetricDownsampler.Select(steps, values, maxPoints: 4));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(1000)]
    [InlineData(1001)]
    public void A_large_series_keeps_at_most_the_budget_including_first_and_last(int maxPoints)
    {
        var (steps, values) = Noise(200_000, seed: 7);

        var kept = MetricDownsampler.Select(steps, values, maxPoints);

        Assert.InRange(kept.Length, 2, maxPoints);
        Assert.Equal(0, kept[0]);
        Assert.Equal(steps.Length - 1, kept[^1]);
        Assert.Equal(kept.OrderBy(i => i).Distinct(), kept);
    }

    [Fact]
    public void Spikes_and_dips_survive_downsampling()
    {
        var (steps, values) = Noise(100_000, seed: 3);
        values[31_337] = 1e6;
        values[77_001] = -1e6;

        var kept = MetricDownsampler.Select(steps, values, maxPoints: 200);

        Assert.Contains(31_337, kept);
        Assert.Contains(77_001, kept);
    }

    [Fact]
    public void Every_column_keeps_its_own_minimum_and_maximum()
    {
        // 10 columns of 100 points each; column c has its minimum at its 10th point and its maximum at its 90th.
        var steps = Enumerable.Range(0, 1002).Select(i => (long)i).ToArray();
        var values = new double[steps.Length];
        for (var c = 0; c < 10; c++)
        {
            values[1 + (c * 100) + 10] = -1 - c;
            values[1 + (c * 100) + 90] = 1 + c;
        }

        var kept = MetricDownsampler.Select(steps, values, maxPoints: 22);

        Assert.Equal(22, kept.Length);
        for (var c = 0; c < 10; c++)
        {
            Assert.Contains(1 + (c * 100) + 10, kept);
            Assert.Contains(1 + (c * 100) + 90, kept);
        }
    }

    [Fact]
    public void Columns_follow_steps_not_positions_so_sparse_ranges_are_not_crowded_out()
    {
        // 1,000 points crowded into steps 1..1000, then one lone point far away at step 1,000,000 with the maximum.
        var steps = Enumerable.Range(0, 1000).Select(i => (long)i).Append(1_000_000).Append(1_000_001).ToArray();
        var values = steps.Select(s => s == 1_000_000 ? 50.0 : Math.Sin(s)).ToArray();

        var kept = MetricDownsampler.Select(steps, values, maxPoints: 20);

        Assert.Contains(1000, kept);
        Assert.True(kept.Length <= 20);
    }

    [Fact]
    public void Points_logged_out_of_step_order_are_sorted_stably()
    {
        var series = MetricSeriesReader.SortByStep([3, 1, 2, 1], [30, 10, 20, 11], [3, 1, 2, 4], nonFinite: 0);

        Assert.Equal([1, 1, 2, 3], series.Steps);
        Assert.Equal([10, 11, 20, 30], series.Values);
        Assert.Equal([1, 4, 2, 3], series.Timestamps);
    }

    private static (long[] Steps, double[] Values) Noise(int count, int seed)
    {
        var random = new Random(seed);
        var steps = Enumerable.Range(0, count).Select(i => (long)i).ToArray();
        var values = steps.Select(_ => random.NextDouble()).ToArray();
        return (steps, values);
    }
}
