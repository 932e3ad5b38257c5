using Flightdeck.Analytics;

namespace Flightdeck.Analytics.Tests;

public class ReservoirSampleTests
{
    [Fact]
    public void Keeps_every_value_until_full()
    {
        var sample = new ReservoirSample(5, seed: 1);
        sample.AddRange([1.0, 2, 3]);

        Assert.Equal([1.0, 2, 3], sample.ToArray());
        Assert.Equal(3, sample.Seen);
    }

    [Fact]
    public void Stays_at_its_capacity_and_keeps_only_values_it_saw()
    {
        var sample = new ReservoirSample(100, seed: 1);
        for (var i = 0; i < 10_000; i++)
            sample.Add(i);

        var values = sample.ToArray();
        Assert.Equal(100, values.Length);
        Assert.Equal(10_000, sample.Seen);
        Assert.All(values, v => Assert.InRange(v, 0, 9_999));
        Assert.Equal(100, values.Distinct().Count());
    }

    [Fact]
    public void Every_value_has_the_same_chance_to_be_kept()
    {
        // Algorithm R keeps each of n values with probability k/n. Over 2000 runs of k = 10 out of n = 100, each value
        // is kept about 200 times (binomial, sd ≈ 13.4); early and late values alike.
        var kept = new int[100];
        for (var run = 0; run < 2000; run++)
        {
            var sample = new ReservoirSample(10, seed: run);
            for (var i = 0; i < 100; i++)
                sample.Add(i);
            foreach (var v in sample.ToArray())
                kept[(int)v]++;
        }

        Assert.All(kept, count => Assert.InRange(count, 140, 260));
        Assert.InRange(kept[..50].Sum() / (double)kept.Sum(), 0.46, 0.54);
    }

    [Fact]
    public void Concurrent_adds_are_all_counted()
    {
        var sample = new ReservoirSample(64);
        Parallel.For(0, 8, t =>
        {
            for (var i = 0; i < 5_000; i++)
                sample.Add(t);
        });

        Assert.Equal(40_000, sample.Seen);
        Assert.Equal(64, sample.ToArray().Length);
    }
}
