using Flightdeck.Analytics;

namespace Flightdeck.Analytics.Tests;

public class LatencyHistogramTests
{
    [Fact]
    public void An_empty_histogram_has_no_quantile()
    {
        Assert.Null(new LatencyHistogram().P99Ms);
    }

    [Fact]
    public void P99_of_one_to_a_thousand_milliseconds_is_within_the_bucket_resolution()
    {
        var histogram = new LatencyHistogram();
        foreach (var ms in Enumerable.Range(1, 1000).Reverse())
            histogram.Record(TimeSpan.FromMilliseconds(ms));

        // Nearest rank: the 990th of 1000 values is 990 ms; buckets are 2^(1/16) ≈ 4.4% wide and report their top.
        var p99 = histogram.P99Ms!.Value;
        Assert.InRange(p99, 990, 990 * 1.045);
        Assert.InRange(histogram.QuantileMs(0.5)!.Value, 500, 500 * 1.045);
        Assert.Equal(1000, histogram.Count);
    }

    [Fact]
    public void A_quantile_never_exceeds_the_largest_latency_seen()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(TimeSpan.FromMilliseconds(3));

        Assert.Equal(3, histogram.P99Ms);
        Assert.Equal(3, histogram.QuantileMs(0));
    }

    [Fact]
    public void One_slow_request_in_a_hundred_sets_the_p99_but_not_the_p98()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 98; i++)
            histogram.Record(TimeSpan.FromMilliseconds(2));
        histogram.Record(TimeSpan.FromMilliseconds(500));
        histogram.Record(TimeSpan.FromMilliseconds(500));

        Assert.InRange(histogram.P99Ms!.Value, 500, 500 * 1.045);
        Assert.InRange(histogram.QuantileMs(0.98)!.Value, 2, 2 * 1.045);
    }

    [Fact]
    public void Sub_microsecond_and_huge_latencies_are_kept_in_the_end_buckets()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(TimeSpan.Zero);
        histogram.Record(TimeSpan.FromDays(2));

        Assert.InRange(histogram.QuantileMs(0.5)!.Value, 0, 0.001);
        Assert.True(histogram.QuantileMs(1) > TimeSpan.FromHours(1).TotalMilliseconds);
    }

    [Fact]
    public void Concurrent_recording_loses_no_count()
    {
        var histogram = new LatencyHistogram();
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 10_000; i++)
                histogram.Record(TimeSpan.FromMicroseconds(100 + i % 50));
        });

        Assert.Equal(80_000, histogram.Count);
    }
}
