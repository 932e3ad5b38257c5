using System.Buffers;
using Flightdeck.Analytics;
using Flightdeck.Models;

namespace Flightdeck.Serving.Rollouts;

/// <summary>
/// The one number per row that stands for a model's prediction when comparing two versions' outputs: the
/// <c>Probability</c> column if there is one, else <c>Score</c>, else the first numeric column, else the first boolean
/// one (as 0/1). A vector cell (a multiclass score) counts as its largest element, the top class's confidence.
/// Missing and non-finite values are skipped.
/// </summary>
internal static class PredictionValues
{
    private static readonly string[] PreferredColumns = ["Probability", "Score"];

    public static BatchColumn? PickColumn(DataBatch output)
    {
        foreach (var name in PreferredColumns)
        {
            foreach (var column in output.Columns)
            {
                if (IsNumeric(column.Type) && string.Equals(column.Name, name, StringComparison.OrdinalIgnoreCase))
                    return column;
            }
        }
        return output.Columns.FirstOrDefault(c => IsNumeric(c.Type))
            ?? output.Columns.FirstOrDefault(c => c.Type == BatchColumnType.Boolean);
    }

    /// <summary>Records a successful request and its rows' prediction values into <paramref name="window"/>.</summary>
    public static void RecordSuccess(InferenceWindow window, TimeSpan latency, DataBatch output)
    {
        if (PickColumn(output) is not { } column || column.RowCount == 0)
        {
            window.Record(failed: false, latency, []);
            return;
        }
        var buffer = ArrayPool<double>.Shared.Rent(column.RowCount);
        try
        {
            var count = 0;
            for (var row = 0; row < column.RowCount; row++)
            {
                if (column.IsMissing(row))
                    continue;
                var value = ValueAt(column, row);
                if (double.IsFinite(value))
                    buffer[count++] = value;
            }
            window.Record(failed: false, latency, buffer.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    private static bool IsNumeric(BatchColumnType type) => type is BatchColumnType.Single or BatchColumnType.Double
        or BatchColumnType.Int32 or BatchColumnType.Int64 or BatchColumnType.SingleVector;

    private static double ValueAt(BatchColumn column, int row) => column.Type switch
    {
        BatchColumnType.Single => column.GetValues<float>()[row],
        BatchColumnType.Double => column.GetValues<double>()[row],
        BatchColumnType.Int32 => column.GetValues<int>()[row],
        BatchColumnType.Int64 => column.GetValues<long>()[row],
        BatchColumnType.Boolean => column.GetValues<bool>()[row] ? 1 : 0,
        BatchColumnType.SingleVector => Max(column.GetValues<float>().AsSpan(row * column.VectorSize, column.VectorSize)),
        _ => double.NaN,
    };

    private static double Max(ReadOnlySpan<float> values)
    {
        var max = double.NegativeInfinity;
        foreach (var value in values)
            max = Math.Max(max, value);
        return max;
    }
}
