using System.Data.Common;

namespace Flightdeck.Server.Ui;

/// <summary>
/// Reads a chart's series from the metric_blocks of a long series: the blocks between its first and its last block
/// give two candidate points each (their first lowest and first highest), the first block and everything from the last
/// block on (the unsummarized tail included) are read as rows, so the answer is always current and the chart's first
/// and last points and its column bounds are exact. The downsampler's columns then run over these candidates. The
/// output equals the all-rows output except where a block crosses a column boundary: a point of that block that is
/// the extreme of one column but not of its block is missed (so blocks are used only when a column spans at least one).
/// Answers null, and the caller reads every row, when blocks cannot answer exactly enough: too few blocks, a chart
/// finer than blocks, steps logged out of order (blocks not monotone in step), or blocks that disagree with the rows
/// (on PostgreSQL a lower seq can commit after a higher one was summarized: the counts differ, and the series is
/// queued to be summarized again). A zoomed range reads rows, only those of the seq range its steps map to.
/// </summary>
internal sealed class BlockSeriesReader(MetricBlockSummarizer summarizer)
{
    /// <summary>
    /// Blocks are used when each column spans at least this many of them, so a block touches at most two columns. A
    /// column is about a pixel of the chart (the UI asks a min/max pair per pixel): an extreme a crossing block hides from its
    /// column is drawn by the block's other column, next to it.
    /// </summary>
    private const int MinBlocksPerColumn = 1;

    public async Task<DownsampledSeries?> TryReadAsync(DbConnection connection, bool sqlite, SeriesRequest request, SeriesVersion version,
        CancellationToken ct)
    {
        var (runId, key) = (request.RunId, request.Key);
        var blocks = await MetricBlockStore.ReadBlocksAsync(connection, runId, key, ct);
        // Blocks written since the version was read are left to the tail, so that the counts below compare like with like.
        blocks.RemoveAll(b => b.LastSeq > version.MaxSeq);
        if (blocks.Count < 3)
        {
            return null;
        }

        if (!Chained(blocks, out var monotone))
        {
            summarizer.Enqueue(runId, key, rebuild: true);
            return null;
        }

        var last = blocks[^1];
        var end = await MetricBlockStore.ReadRowsAsync(connection, runId, key, last.FirstSeq, long.MaxValue, null, ct);
        if (end.Count(r => r.Seq > last.LastSeq) >= MetricBlockSummarizer.TailThreshold)
        {
            summarizer.Enqueue(runId, key);
        }

        // The version (read first) counts every row with seq up to its MaxSeq; blocks and rows must account for each.
        // Fewer: a row the version saw is in no block (it committed after a higher seq was summarized), so the blocks
        // are rebuilt. More: a row below MaxSeq committed since the version was read; the next read checks again.
        var counted = blocks.Sum(b => (long)b.RowCount) + end.Count(r => r.Seq > last.LastSeq && r.Seq <= version.MaxSeq);
        if (!sqlite && counted != version.Count)
        {
            if (counted < version.Count)
            {
                summarizer.Enqueue(runId, key, rebuild: true);
            }

            return null;
        }

        if (!monotone || !Sorted(end) || end[0].Step < blocks[^2].MaxStep)
        {
            return null;
        }

        return request.MinStep is null && request.MaxStep is null
            ? await WholeAsync(connection, request, blocks, end, ct)
            : await ZoomedAsync(connection, request, blocks, ct);
    }

    private static async Task<DownsampledSeries?> WholeAsync(DbConnection connection, SeriesRequest request, List<MetricBlock> blocks,
        List<MetricRow> end, CancellationToken ct)
    {
        var first = blocks[0];
        var head = await MetricBlockStore.ReadRowsAsync(connection, request.RunId, request.Key, first.FirstSeq, first.LastSeq, null, ct);
        var middle = blocks.Count - 2;
        var headFinite = head.Count(r => r.Finite);
        var endFinite = end.Count(r => r.Finite);
        var total = headFinite + endFinite + blocks.Skip(1).Take(middle).Sum(b => b.FiniteCount);
        var columns = (request.Points - 2) / 2;
        if (headFinite < 2 || endFinite < 2 || !Sorted(head) || head[^1].Step > blocks[1].MinStep
            || total <= request.Points || total < (long)columns * MinBlocksPerColumn * MetricBlock.Size)
        {
            return null;
        }

        var candidates = new Candidates(headFinite + endFinite + (2 * middle));
        candidates.AddRows(head);
        for (var i = 1; i <= middle; i++)
        {
            if (blocks[i] is { Low: { } low, High: { } high })
            {
                candidates.Add(low.Seq <= high.Seq ? low : high);
                if (low.Seq != high.Seq)
                {
                    candidates.Add(low.Seq <= high.Seq ? high : low);
                }
            }
        }

        candidates.AddRows(end);
        var kept = MetricDownsampler.SelectInColumns(candidates.Steps, candidates.Values, columns);
        var nonFinite = head.Count + end.Count - headFinite - endFinite + blocks.Skip(1).Take(middle).Sum(b => b.NonFinite);
        return new DownsampledSeries(request.Key, total, nonFinite, [.. kept.Select(i => candidates.Steps[i])],
            [.. kept.Select(i => candidates.Values[i])], [.. kept.Select(i => candidates.Timestamps[i])]);
    }

    /// <summary>The rows of a step range, read only from the seq range that can hold them (blocks are monotone in step here).</summary>
    private static async Task<DownsampledSeries> ZoomedAsync(DbConnection connection, SeriesRequest request, List<MetricBlock> blocks,
        CancellationToken ct)
    {
        var lo = request.MinStep ?? long.MinValue;
        var hi = request.MaxStep ?? long.MaxValue;
        // Rows before the first block reaching lo have lower steps; rows after the last block starting by hi, higher ones.
        // The last block is followed by the tail, which is read whenever that block may hold points of the range.
        var from = blocks.FindIndex(b => b.MaxStep >= lo) is var i and >= 0 ? blocks[i].FirstSeq : blocks[^1].LastSeq + 1;
        var j = blocks.FindLastIndex(b => b.MinStep <= hi);
        var to = j == blocks.Count - 1 ? long.MaxValue : j >= 0 ? blocks[j].LastSeq : blocks[0].FirstSeq - 1;
        var series = await MetricSeriesReader.ReadPointsAsync(connection, request.RunId, request.Key, request.MinStep, request.MaxStep, ct,
            (from, to));
        return DownsampledSeries.Of(request.Key, series, request.Points);
    }

    /// <summary>
    /// Whether the blocks follow each other (numbers from 0, seq ranges in order); <paramref name="monotone"/>: whether
    /// their steps never go down, within a block or from one to the next.
    /// </summary>
    private static bool Chained(List<MetricBlock> blocks, out bool monotone)
    {
        monotone = true;
        for (var i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i];
            if (block.Number != i || block.FirstSeq > block.LastSeq || (i > 0 && block.FirstSeq <= blocks[i - 1].LastSeq))
            {
                return false;
            }

            monotone &= block.Ordered && (i == 0 || blocks[i - 1].MaxStep <= block.MinStep);
        }

        return true;
    }

    private static bool Sorted(List<MetricRow> rows)
    {
        for (var i = 1; i < rows.Count; i++)
        {
            if (rows[i - 1].Step > rows[i].Step)
            {
                return false;
            }
        }

        return true;
    }

    private sealed class Candidates(int capacity)
    {
        private readonly List<long> _steps = new(capacity);
        private readonly List<double> _values = new(capacity);
        private readonly List<long> _timestamps = new(capacity);

        public ReadOnlySpan<long> Steps => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_steps);

        public ReadOnlySpan<double> Values => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_values);

        public ReadOnlySpan<long> Timestamps => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_timestamps);

        public void Add(BlockPoint point) => Add(point.Step, point.Value, point.Timestamp);

        public void AddRows(List<MetricRow> rows)
        {
            foreach (var row in rows)
            {
                if (row.Finite)
                {
                    Add(row.Step, row.Value, row.Timestamp);
                }
            }
        }

        private void Add(long step, double value, long timestamp)
        {
            _steps.Add(step);
            _values.Add(value);
            _timestamps.Add(timestamp);
        }
    }
}
