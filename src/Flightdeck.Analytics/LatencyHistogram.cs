namespace Flightdeck.Analytics;

/// <summary>
/// A fixed log-bucket histogram of latencies, for p99 and other quantiles over a window. Recording is two interlocked
/// increments (no lock, no allocation), so it can sit on the request path. Bucket <c>i</c> holds latencies in
/// (2^((i−1)/16), 2^(i/16)] microseconds: each bucket is about 4.4% wider than the one before, so a quantile is
/// reported within 4.4% above the true value (and never above the largest latency seen). Latencies of 1 µs or less
/// share bucket 0; those beyond about 71 minutes share the last.
/// </summary>
public sealed class LatencyHistogram
{
    private const int BucketsPerDoubling = 16;
    private const int BucketCount = 32 * BucketsPerDoubling + 1;

    private readonly long[] _buckets = new long[BucketCount];
    private long _count;
    private long _maxTicks;

    public long Count => Interlocked.Read(ref _count);

    public void Record(TimeSpan latency)
    {
        var ticks = Math.Max(0, latency.Ticks);
        Interlocked.Increment(ref _buckets[BucketOf(ticks)]);
        Interlocked.Increment(ref _count);
        var max = Interlocked.Read(ref _maxTicks);
        while (ticks > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxTicks, ticks, max);
            if (seen == max)
                break;
            max = seen;
        }
    }

    /// <summary>The latency at quantile <paramref name="q"/> (0–1) in milliseconds, by nearest rank; null when empty.</summary>
    public double? QuantileMs(double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1);
        var count = Count;
        if (count == 0)
            return null;
        var rank = Math.Max(1, (long)Math.Ceiling(q * count));
        long seen = 0;
        var bucket = 0;
        for (; bucket < BucketCount - 1; bucket++)
        {
            seen += Interlocked.Read(ref _buckets[bucket]);
            if (seen >= rank)
                break;
        }
        var maxMs = TimeSpan.FromTicks(Interlocked.Read(ref _maxTicks)).TotalMilliseconds;
        return Math.Min(UpperBoundMs(bucket), maxMs);
    }

    public double? P99Ms => QuantileMs(0.99);

    private static int BucketOf(long ticks)
    {
        var micros = ticks / (double)TimeSpan.TicksPerMicrosecond;
        if (micros <= 1)
            return 0;
        var bucket = (int)Math.Ceiling(Math.Log2(micros) * BucketsPerDoubling);
        return Math.Min(bucket, BucketCount - 1);
    }

    private static double UpperBoundMs(int bucket) => Math.Pow(2, (double)bucket / BucketsPerDoubling) / 1000;
}
