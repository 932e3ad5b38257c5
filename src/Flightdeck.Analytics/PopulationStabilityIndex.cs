using MathNet.Numerics.Statistics;

namespace Flightdeck.Analytics;

/// <summary>
/// Population stability index (PSI) of a current sample against a reference sample:
/// <c>PSI = Σᵢ (aᵢ − eᵢ) · ln(aᵢ / eᵢ)</c>, where <c>eᵢ</c> is the share of the reference and <c>aᵢ</c> the share of the
/// current sample falling in bin <c>i</c>. The bins are the reference's quantiles (10 by default, so each holds about a
/// tenth of the reference); a share of 0 is replaced by <see cref="DefaultEpsilon"/> so the logarithm stays finite, as
/// Evidently does (see shared/reference/serving-and-monitoring.md §3.1). Common reading: below 0.1 no shift, 0.1–0.2 a
/// moderate one, above 0.2 a significant one.
/// </summary>
public static class PopulationStabilityIndex
{
    public const int DefaultBins = 10;
    public const double DefaultEpsilon = 1e-4;

    public static double Compute(ReadOnlySpan<double> reference, ReadOnlySpan<double> current,
        int bins = DefaultBins, double epsilon = DefaultEpsilon)
    {
        if (reference.IsEmpty)
            throw new ArgumentException("The reference sample is empty.", nameof(reference));
        if (current.IsEmpty)
            throw new ArgumentException("The current sample is empty.", nameof(current));
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epsilon);

        var edges = QuantileEdges(reference, bins);
        var expected = Shares(reference, edges);
        var actual = Shares(current, edges);
        var psi = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            var e = Math.Max(expected[i], epsilon);
            var a = Math.Max(actual[i], epsilon);
            psi += (a - e) * Math.Log(a / e);
        }
        return psi;
    }

    /// <summary>The inner bin edges: the reference's quantiles at 1/bins … (bins−1)/bins (R-7, the linear interpolation
    /// of Excel and numpy's default), without repeats, so a reference with many equal values gets fewer, wider bins.
    /// Bin <c>i</c> holds the values in (edgeᵢ₋₁, edgeᵢ]; the first and last bins are open-ended.</summary>
    public static double[] QuantileEdges(ReadOnlySpan<double> reference, int bins = DefaultBins)
    {
        var sorted = reference.ToArray();
        Array.Sort(sorted);
        var edges = new List<double>(bins - 1);
        for (var k = 1; k < bins; k++)
        {
            var edge = SortedArrayStatistics.QuantileCustom(sorted, (double)k / bins, QuantileDefinition.R7);
            if (edges.Count == 0 || edge > edges[^1])
                edges.Add(edge);
        }
        return [.. edges];
    }

    private static double[] Shares(ReadOnlySpan<double> sample, double[] edges)
    {
        var counts = new double[edges.Length + 1];
        foreach (var value in sample)
            counts[BinOf(value, edges)]++;
        for (var i = 0; i < counts.Length; i++)
            counts[i] /= sample.Length;
        return counts;
    }

    private static int BinOf(double value, double[] edges)
    {
        // The first edge ≥ value: BinarySearch gives its index when equal, its complement when not.
        var index = Array.BinarySearch(edges, value);
        return index >= 0 ? index : ~index;
    }
}
