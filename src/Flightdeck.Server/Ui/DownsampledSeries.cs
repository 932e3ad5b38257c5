namespace Flightdeck.Server.Ui;

/// <summary>A metric's points picked for a chart of <c>points</c> points (see <see cref="MetricDownsampler"/>), as columns.</summary>
internal sealed record DownsampledSeries(string Key, int TotalPoints, int NonFinitePoints, long[] Steps, double[] Values, long[] Timestamps)
{
    public int ReturnedPoints => Steps.Length;

    public bool Downsampled => Steps.Length < TotalPoints;

    public static DownsampledSeries Of(string key, MetricSeries series, int points)
    {
        var kept = MetricDownsampler.Select(series.Steps, series.Values, points);
        if (kept.Length == series.Count)
        {
            return new DownsampledSeries(key, series.Count, series.NonFinite, series.Steps, series.Values, series.Timestamps);
        }

        var steps = new long[kept.Length];
        var values = new double[kept.Length];
        var timestamps = new long[kept.Length];
        for (var i = 0; i < kept.Length; i++)
        {
            steps[i] = series.Steps[kept[i]];
            values[i] = series.Values[kept[i]];
            timestamps[i] = series.Timestamps[kept[i]];
        }

        return new DownsampledSeries(key, series.Count, series.NonFinite, steps, values, timestamps);
    }
}
