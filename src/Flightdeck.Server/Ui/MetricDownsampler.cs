namespace Flightdeck.Server.Ui;

/// <summary>
/// Picks at most a given number of points of a metric series to draw. Min/max buckets, as in M4 (Jugel et al.,
/// "M4: A Visualization-Oriented Time Series Data Aggregation", VLDB 2014): the step range is cut into equal columns
/// and each column keeps its lowest and highest value, so spikes and dips survive at any zoom, which the smoother
/// largest-triangle-three-buckets (Steinarsson 2013) does not promise. The first and last points are always kept.
/// </summary>
internal static class MetricDownsampler
{
    /// <summary>
    /// Indices of the points to keep, ascending. <paramref name="steps"/> must be sorted ascending and the values finite.
    /// </summary>
    public static int[] Select(ReadOnlySpan<long> steps, ReadOnlySpan<double> values, int maxPoints)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        if (steps.Length != values.Length)
        {
            throw new ArgumentException("steps and values differ in length.", nameof(values));
        }

        var n = steps.Length;
        if (n <= maxPoints)
        {
            var all = new int[n];
            for (var i = 0; i < n; i++)
            {
                all[i] = i;
            }

            return all;
        }

        // The interior (every point but the first and last) goes into columns of two points each.
        return SelectInColumns(steps, values, (maxPoints - 2) / 2);
    }

    /// <summary>
    /// The first and last points, and each column's first lowest and first highest interior point, whatever the count.
    /// <see cref="BlockSeriesReader"/> runs it on candidates (raw ends, each block's extremes between them) standing for more points.
    /// </summary>
    public static int[] SelectInColumns(ReadOnlySpan<long> steps, ReadOnlySpan<double> values, int columns)
    {
        var n = steps.Length;
        if (n < 2)
        {
            return n == 0 ? [] : [0];
        }

        var kept = new List<int>((2 * columns) + 2) { 0 };
        if (columns > 0 && n > 2)
        {
            var first = steps[1];
            var span = (double)(steps[n - 2] - first) + 1;
            var column = -1;
            int low = 0, high = 0;
            for (var i = 1; i < n - 1; i++)
            {
                var c = Math.Min(columns - 1, (int)((steps[i] - first) / span * columns));
                if (c != column)
                {
                    if (column >= 0)
                    {
                        AddPair(kept, low, high);
                    }

                    column = c;
                    low = high = i;
                }
                else if (values[i] < values[low])
                {
                    low = i;
                }
                else if (values[i] > values[high])
                {
                    high = i;
                }
            }

            AddPair(kept, low, high);
        }

        kept.Add(n - 1);
        return kept.ToArray();
    }

    private static void AddPair(List<int> kept, int low, int high)
    {
        if (low == high)
        {
            kept.Add(low);
        }
        else
        {
            kept.Add(Math.Min(low, high));
            kept.Add(Math.Max(low, high));
        }
    }
}
