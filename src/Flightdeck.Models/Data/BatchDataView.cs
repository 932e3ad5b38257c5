using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flightdeck.Models;

/// <summary>An IDataView over a <see cref="DataBatch"/>'s arrays, without copying them. ML.NET has no public
/// columnar in-memory view (ArrayDataViewBuilder is internal; LoadFromEnumerable needs a compile-time row class), and
/// a DataFrame would copy every column into its own buffers first. Columns of the model's input schema that the batch
/// lacks (the label, typically) are served as default values so that transformers binding them still apply.</summary>
internal sealed class BatchDataView : IDataView
{
    private readonly int _rowCount;
    private readonly Func<Cursor, Delegate>[] _getterFactories;

    public BatchDataView(DataBatch batch, DataViewSchema? modelInputSchema = null)
    {
        _rowCount = batch.RowCount;
        var builder = new DataViewSchema.Builder();
        var factories = new List<Func<Cursor, Delegate>>();
        foreach (var column in batch.Columns)
        {
            builder.AddColumn(column.Name, TypeOf(column));
            factories.Add(GetterFactory(column));
        }
        if (modelInputSchema is not null)
        {
            foreach (var column in modelInputSchema)
            {
                if (column.IsHidden || batch.TryGetColumn(column.Name, out _) || DefaultGetter(column.Type) is not { } getter)
                    continue;
                builder.AddColumn(column.Name, column.Type);
                factories.Add(_ => getter);
            }
        }
        Schema = builder.ToSchema();
        _getterFactories = [.. factories];
    }

    private BatchDataView(DataViewSchema schema)
    {
        Schema = schema;
        _getterFactories = [.. schema.Select(c => (Func<Cursor, Delegate>)(_ => DefaultGetter(c.Type)
            ?? throw new InvalidOperationException($"Column '{c.Name}' of type {c.Type} cannot be served.")))];
    }

    /// <summary>A view with the given schema and no rows.</summary>
    public static BatchDataView Empty(DataViewSchema schema) => new(schema);

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _rowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private static DataViewType TypeOf(BatchColumn column) => column.Type switch
    {
        BatchColumnType.Boolean => BooleanDataViewType.Instance,
        BatchColumnType.Int32 => NumberDataViewType.Int32,
        BatchColumnType.Int64 => NumberDataViewType.Int64,
        BatchColumnType.Single => NumberDataViewType.Single,
        BatchColumnType.Double => NumberDataViewType.Double,
        BatchColumnType.String => TextDataViewType.Instance,
        _ => new VectorDataViewType(NumberDataViewType.Single, column.VectorSize),
    };

    private static Func<Cursor, Delegate> GetterFactory(BatchColumn column)
    {
        switch (column.Type)
        {
            case BatchColumnType.Boolean: return ScalarGetter(column.GetValues<bool>());
            case BatchColumnType.Int32: return ScalarGetter(column.GetValues<int>());
            case BatchColumnType.Int64: return ScalarGetter(column.GetValues<long>());
            case BatchColumnType.Single: return ScalarGetter(column.GetValues<float>());
            case BatchColumnType.Double: return ScalarGetter(column.GetValues<double>());
            case BatchColumnType.String:
            {
                var values = column.GetValues<string?>();
                return cursor => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) =>
                    value = values[cursor.Row].AsMemory());
            }
            default:
            {
                var values = column.GetValues<float>();
                var size = column.VectorSize;
                return cursor => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, size);
                    values.AsSpan(cursor.Row * size, size).CopyTo(editor.Values);
                    value = editor.Commit();
                });
            }
        }
    }

    private static Func<Cursor, Delegate> ScalarGetter<T>(T[] values) =>
        cursor => (ValueGetter<T>)((ref T value) => value = values[cursor.Row]);

    private static Delegate? DefaultGetter(DataViewType type)
    {
        if (type == NumberDataViewType.Single) return (ValueGetter<float>)((ref float v) => v = 0);
        if (type == NumberDataViewType.Double) return (ValueGetter<double>)((ref double v) => v = 0);
        if (type == NumberDataViewType.Int32) return (ValueGetter<int>)((ref int v) => v = 0);
        if (type == NumberDataViewType.Int64) return (ValueGetter<long>)((ref long v) => v = 0);
        if (type == NumberDataViewType.UInt32) return (ValueGetter<uint>)((ref uint v) => v = 0);
        if (type == BooleanDataViewType.Instance) return (ValueGetter<bool>)((ref bool v) => v = false);
        if (type == TextDataViewType.Instance) return (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> v) => v = default);
        if (type is KeyDataViewType { RawType: var raw } && raw == typeof(uint)) return (ValueGetter<uint>)((ref uint v) => v = 0);
        if (type is VectorDataViewType { IsKnownSize: true } vector && vector.ItemType == NumberDataViewType.Single)
        {
            var size = vector.Size;
            return (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) => v = VBufferEditor.Create(ref v, size).Commit());
        }
        return null;
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly BatchDataView _view;
        private readonly bool[] _active;
        private readonly Delegate?[] _getters;
        private long _position = -1;

        public Cursor(BatchDataView view, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            _view = view;
            _active = new bool[view.Schema.Count];
            _getters = new Delegate?[view.Schema.Count];
            foreach (var column in columnsNeeded)
                _active[column.Index] = true;
        }

        public int Row => (int)_position;

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => _view.Schema;

        public override bool MoveNext()
        {
            if (_position + 1 < _view._rowCount)
            {
                _position++;
                return true;
            }
            _position = _view._rowCount;
            return false;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var getter = _getters[column.Index] ??= _view._getterFactories[column.Index](this);
            return getter as ValueGetter<TValue> ?? throw new InvalidOperationException(
                $"Column '{column.Name}' is {column.Type}; it cannot be read as {typeof(TValue).Name}.");
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);
    }
}
