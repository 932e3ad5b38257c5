using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flightdeck.Models;

/// <summary>Reads columns of an ML.NET IDataView into a <see cref="DataBatch"/>.</summary>
internal static class DataViewReader
{
    public static BatchColumnType? BatchTypeOf(DataViewType type)
    {
        if (type == NumberDataViewType.Single) return BatchColumnType.Single;
        if (type == NumberDataViewType.Double) return BatchColumnType.Double;
        if (type == NumberDataViewType.Int32) return BatchColumnType.Int32;
        if (type == NumberDataViewType.Int64) return BatchColumnType.Int64;
        if (type == NumberDataViewType.UInt32 || type is KeyDataViewType { RawType: var raw } && raw == typeof(uint))
            return BatchColumnType.Int64;
        if (type == BooleanDataViewType.Instance) return BatchColumnType.Boolean;
        if (type == TextDataViewType.Instance) return BatchColumnType.String;
        if (type is VectorDataViewType { IsKnownSize: true } vector && vector.ItemType == NumberDataViewType.Single)
            return BatchColumnType.SingleVector;
        return null;
    }

    /// <summary>Reads the named columns, at most <paramref name="maxRows"/> rows (all when negative).</summary>
    public static DataBatch Read(IDataView view, IReadOnlyList<string> names, int maxRows = -1, int capacity = 16)
    {
        var columns = names.Select(n => view.Schema.GetColumnOrNull(n)
            ?? throw new InvalidOperationException($"The data has no column '{n}'.")).ToList();
        var sinks = columns.Select(c => Sink.For(c)).ToList();
        using var cursor = view.GetRowCursor(columns);
        foreach (var sink in sinks)
            sink.Bind(cursor, Math.Max(capacity, 1));
        var rows = 0;
        while ((maxRows < 0 || rows < maxRows) && cursor.MoveNext())
        {
            foreach (var sink in sinks)
                sink.ReadRow(rows);
            rows++;
        }
        return new DataBatch(sinks.Select(s => s.ToColumn(rows)));
    }

    private abstract class Sink(DataViewSchema.Column column)
    {
        protected DataViewSchema.Column Column { get; } = column;

        public static Sink For(DataViewSchema.Column column) => BatchTypeOf(column.Type) switch
        {
            BatchColumnType.Single => new Scalar<float, float>(column, v => v, BatchColumn.FromSingles),
            BatchColumnType.Double => new Scalar<double, double>(column, v => v, BatchColumn.FromDoubles),
            BatchColumnType.Int32 => new Scalar<int, int>(column, v => v, BatchColumn.FromInt32s),
            BatchColumnType.Int64 when column.Type == NumberDataViewType.Int64 =>
                new Scalar<long, long>(column, v => v, BatchColumn.FromInt64s),
            BatchColumnType.Int64 => new Scalar<uint, long>(column, v => v, BatchColumn.FromInt64s),
            BatchColumnType.Boolean => new Scalar<bool, bool>(column, v => v, BatchColumn.FromBooleans),
            BatchColumnType.String => new Scalar<ReadOnlyMemory<char>, string?>(column, v => v.ToString(),
                (name, values, _) => BatchColumn.FromStrings(name, values)),
            BatchColumnType.SingleVector => new Vector(column),
            _ => throw new ModelPackageException($"Column '{column.Name}' has ML.NET type {column.Type}, which cannot be read."),
        };

        public abstract void Bind(DataViewRowCursor cursor, int capacity);

        public abstract void ReadRow(int row);

        public abstract BatchColumn ToColumn(int rows);
    }

    private sealed class Scalar<TRaw, TValue>(
        DataViewSchema.Column column, Func<TRaw, TValue> convert, Func<string, TValue[], bool[]?, BatchColumn> build) : Sink(column)
    {
        private ValueGetter<TRaw> _getter = null!;
        private TValue[] _values = [];
        private TRaw _raw = default!;

        public override void Bind(DataViewRowCursor cursor, int capacity)
        {
            _getter = cursor.GetGetter<TRaw>(Column);
            _values = new TValue[capacity];
        }

        public override void ReadRow(int row)
        {
            if (row == _values.Length)
                Array.Resize(ref _values, _values.Length * 2);
            _getter(ref _raw);
            _values[row] = convert(_raw);
        }

        public override BatchColumn ToColumn(int rows)
        {
            if (rows != _values.Length)
                Array.Resize(ref _values, rows);
            return build(Column.Name, _values, null);
        }
    }

    private sealed class Vector(DataViewSchema.Column column) : Sink(column)
    {
        private readonly int _size = ((VectorDataViewType)column.Type).Size;
        private ValueGetter<VBuffer<float>> _getter = null!;
        private float[] _values = [];
        private VBuffer<float> _buffer;

        public override void Bind(DataViewRowCursor cursor, int capacity)
        {
            _getter = cursor.GetGetter<VBuffer<float>>(Column);
            _values = new float[capacity * _size];
        }

        public override void ReadRow(int row)
        {
            if ((row + 1) * _size > _values.Length)
                Array.Resize(ref _values, _values.Length * 2);
            _getter(ref _buffer);
            _buffer.CopyTo(_values.AsSpan(row * _size, _size));
        }

        public override BatchColumn ToColumn(int rows)
        {
            if (rows * _size != _values.Length)
                Array.Resize(ref _values, rows * _size);
            return BatchColumn.FromVectors(Column.Name, _values, _size);
        }
    }
}
