namespace Flightdeck.Server.Ui;

/// <summary>One stored metric row, as the block summarizer and the block read path see it.</summary>
internal readonly record struct MetricRow(long Seq, long Step, double Value, bool IsNan, long Timestamp)
{
    public bool Finite => !IsNan && double.IsFinite(Value);
}

/// <summary>A point a block keeps: its lowest or highest finite value, where and when.</summary>
internal readonly record struct BlockPoint(long Seq, long Step, double Value, long Timestamp);

/// <summary>
/// The summary of <see cref="Size"/> consecutive rows (by seq) of one metric series: enough for
/// <see cref="MetricDownsampler"/>'s min/max columns, which keep each column's first lowest and first highest point.
/// Two points a block, against 64 rows, is what makes a long series' chart cheap to draw the first time.
/// </summary>
internal sealed record MetricBlock(long Number, long FirstSeq, long LastSeq, int RowCount, int NonFinite, bool Ordered, long MinStep,
    long MaxStep, BlockPoint? Low, BlockPoint? High)
{
    /// <summary>
    /// Rows a block. A 1,000-point chart has 499 columns, so a 100,000-point series has 200 rows a column: 64 leaves
    /// about three blocks to a column (blocks cutting a column boundary are the only inexactness, see
    /// <see cref="BlockSeriesReader"/>), while a block row still stands for 64 point rows (a 1,000,000-point series is
    /// 15,625 block rows, about 3% of its points' storage).
    /// </summary>
    public const int Size = 64;

    public int FiniteCount => RowCount - NonFinite;

    /// <summary>Summarizes rows given in seq order, all of one series (at least one row).</summary>
    public static MetricBlock Of(long number, ReadOnlySpan<MetricRow> rows)
    {
        var ordered = true;
        long minStep = rows[0].Step, maxStep = rows[0].Step;
        var nonFinite = 0;
        BlockPoint? low = null, high = null;
        for (var i = 0; i < rows.Length; i++)
        {
            var row = rows[i];
            ordered &= i == 0 || rows[i - 1].Step <= row.Step;
            minStep = Math.Min(minStep, row.Step);
            maxStep = Math.Max(maxStep, row.Step);
            if (!row.Finite)
            {
                nonFinite++;
                continue;
            }

            // Strict comparisons: the first of equal extremes wins, as in the downsampler's columns.
            if (low is not { } l || row.Value < l.Value)
            {
                low = new BlockPoint(row.Seq, row.Step, row.Value, row.Timestamp);
            }

            if (high is not { } h || row.Value > h.Value)
            {
                high = new BlockPoint(row.Seq, row.Step, row.Value, row.Timestamp);
            }
        }

        return new MetricBlock(number, rows[0].Seq, rows[^1].Seq, rows.Length, nonFinite, ordered, minStep, maxStep, low, high);
    }
}
