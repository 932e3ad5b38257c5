using Flightdeck.Models;

namespace Flightdeck.Serving;

/// <summary>Joins the batches of several requests into one and cuts the model's answer back into per-request pieces.
/// Only batches of the same layout (<see cref="SameLayout"/>) are joined, so the merged batch is exactly what each request
/// would have sent on its own, stacked.</summary>
internal static class BatchMerger
{
    /// <summary>Whether two batches have the same column names, types and vector sizes in the same order, so they can
    /// be stacked. Compared in place: this runs for every request, so it builds no key.</summary>
    public static bool SameLayout(DataBatch a, DataBatch b)
    {
        if (ReferenceEquals(a, b))
            return true;
        if (a.Columns.Count != b.Columns.Count)
            return false;
        for (var c = 0; c < a.Columns.Count; c++)
        {
            var (x, y) = (a.Columns[c], b.Columns[c]);
            if (x.Type != y.Type || x.VectorSize != y.VectorSize || !string.Equals(x.Name, y.Name, StringComparison.Ordinal))
                return false;
        }
        return true;
    }

    public static DataBatch Concat(IReadOnlyList<DataBatch> batches)
    {
        if (batches.Count == 1)
            return batches[0];
        var first = batches[0];
        var columns = new BatchColumn[first.Columns.Count];
        for (var c = 0; c < columns.Length; c++)
        {
            var parts = batches.Select(b => b.Columns[c]).ToList();
            columns[c] = ConcatColumn(parts);
        }
        return new DataBatch(columns);
    }

    public static DataBatch Slice(DataBatch batch, int start, int count)
    {
        if (start == 0 && count == batch.RowCount)
            return batch;
        return new DataBatch(batch.Columns.Select(c => SliceColumn(c, start, count)));
    }

    private static BatchColumn ConcatColumn(List<BatchColumn> parts)
    {
        var head = parts[0];
        var missing = parts.Any(p => p.Missing is not null)
            ? [.. parts.SelectMany(p => p.Missing ?? new bool[p.RowCount])]
            : (bool[]?)null;
        return head.Type switch
        {
            BatchColumnType.Boolean => BatchColumn.FromBooleans(head.Name, Join<bool>(parts), missing),
            BatchColumnType.Int32 => BatchColumn.FromInt32s(head.Name, Join<int>(parts), missing),
            BatchColumnType.Int64 => BatchColumn.FromInt64s(head.Name, Join<long>(parts), missing),
            BatchColumnType.Single => BatchColumn.FromSingles(head.Name, Join<float>(parts), missing),
            BatchColumnType.Double => BatchColumn.FromDoubles(head.Name, Join<double>(parts), missing),
            BatchColumnType.String => BatchColumn.FromStrings(head.Name, Join<string?>(parts)),
            _ => BatchColumn.FromVectors(head.Name, Join<float>(parts), head.VectorSize, missing),
        };
    }

    private static T[] Join<T>(List<BatchColumn> parts)
    {
        var total = parts.Sum(p => p.GetValues<T>().Length);
        var joined = new T[total];
        var offset = 0;
        foreach (var part in parts)
        {
            var values = part.GetValues<T>();
            values.CopyTo(joined, offset);
            offset += values.Length;
        }
        return joined;
    }

    private static BatchColumn SliceColumn(BatchColumn column, int start, int count)
    {
        var missing = column.Missing?[start..(start + count)];
        var width = column.VectorSize;
        return column.Type switch
        {
            BatchColumnType.Boolean => BatchColumn.FromBooleans(column.Name, column.GetValues<bool>()[start..(start + count)], missing),
            BatchColumnType.Int32 => BatchColumn.FromInt32s(column.Name, column.GetValues<int>()[start..(start + count)], missing),
            BatchColumnType.Int64 => BatchColumn.FromInt64s(column.Name, column.GetValues<long>()[start..(start + count)], missing),
            BatchColumnType.Single => BatchColumn.FromSingles(column.Name, column.GetValues<float>()[start..(start + count)], missing),
            BatchColumnType.Double => BatchColumn.FromDoubles(column.Name, column.GetValues<double>()[start..(start + count)], missing),
            BatchColumnType.String => BatchColumn.FromStrings(column.Name, column.GetValues<string?>()[start..(start + count)]),
            _ => BatchColumn.FromVectors(column.Name, column.GetValues<float>()[(start * width)..((start + count) * width)], width, missing),
        };
    }
}
