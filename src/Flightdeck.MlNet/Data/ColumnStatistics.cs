using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flightdeck.MlNet.Data;

/// <summary>Reads one column row by row: feeds each value to the digest and keeps the column's profile.</summary>
internal abstract class ColumnStatistics(string name)
{
    public string Name { get; } = name;

    public abstract void ReadCurrent(IncrementalHash hash);

    public abstract JsonObject ToProfile();

    public static bool CanRead(DataViewType type) => type switch
    {
        VectorDataViewType vector => vector.ItemType is TextDataViewType || ToDouble(vector.ItemType.RawType) is not null,
        TextDataViewType or BooleanDataViewType => true,
        _ => ToDouble(type.RawType) is not null,
    };

    public static ColumnStatistics Create(DataViewRowCursor cursor, DataViewSchema.Column column) => column.Type switch
    {
        TextDataViewType => new TextColumn(column.Name, cursor.GetGetter<ReadOnlyMemory<char>>(column)),
        BooleanDataViewType => new BooleanColumn(column.Name, cursor.GetGetter<bool>(column)),
        VectorDataViewType { ItemType: TextDataViewType } vector =>
            new VectorColumn<ReadOnlyMemory<char>>(column.Name, vector.Size, cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column),
                (hash, text) => CanonicalWriter.WriteText(hash, text.Span), text => text.IsEmpty),
        VectorDataViewType vector => CreateNumericVector(cursor, column, vector),
        var scalar => CreateNumeric(cursor, column, scalar),
    };

    private static ColumnStatistics CreateNumeric(DataViewRowCursor cursor, DataViewSchema.Column column, DataViewType type)
    {
        var method = typeof(ColumnStatistics).GetMethod(nameof(Numeric), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        return (ColumnStatistics)method.MakeGenericMethod(type.RawType).Invoke(null, [cursor, column, type is KeyDataViewType])!;
    }

    private static ColumnStatistics CreateNumericVector(DataViewRowCursor cursor, DataViewSchema.Column column, VectorDataViewType type)
    {
        var method = typeof(ColumnStatistics).GetMethod(nameof(NumericVector), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        return (ColumnStatistics)method.MakeGenericMethod(type.ItemType.RawType).Invoke(null, [cursor, column, type.Size])!;
    }

    private static NumericColumn Numeric<T>(DataViewRowCursor cursor, DataViewSchema.Column column, bool isKey)
    {
        var getter = cursor.GetGetter<T>(column);
        var convert = (Func<T, double>)ToDouble(typeof(T))!;
        T value = default!;
        return new NumericColumn(column.Name, isKey, () =>
        {
            getter(ref value);
            return convert(value);
        });
    }

    private static VectorColumn<T> NumericVector<T>(DataViewRowCursor cursor, DataViewSchema.Column column, int size)
    {
        var convert = (Func<T, double>)ToDouble(typeof(T))!;
        return new VectorColumn<T>(column.Name, size, cursor.GetGetter<VBuffer<T>>(column),
            (hash, item) => CanonicalWriter.WriteNumber(hash, convert(item)), item => double.IsNaN(convert(item)));
    }

    /// <summary>The conversion of a raw ML.NET value type to double, or null for types that are not numbers.</summary>
    private static Delegate? ToDouble(Type raw) => raw switch
    {
        _ when raw == typeof(float) => (Func<float, double>)(v => v),
        _ when raw == typeof(double) => (Func<double, double>)(v => v),
        _ when raw == typeof(sbyte) => (Func<sbyte, double>)(v => v),
        _ when raw == typeof(byte) => (Func<byte, double>)(v => v),
        _ when raw == typeof(short) => (Func<short, double>)(v => v),
        _ when raw == typeof(ushort) => (Func<ushort, double>)(v => v),
        _ when raw == typeof(int) => (Func<int, double>)(v => v),
        _ when raw == typeof(uint) => (Func<uint, double>)(v => v),
        _ when raw == typeof(long) => (Func<long, double>)(v => v),
        _ when raw == typeof(ulong) => (Func<ulong, double>)(v => v),
        _ when raw == typeof(bool) => (Func<bool, double>)(v => v ? 1 : 0),
        _ when raw == typeof(DateTime) => (Func<DateTime, double>)(v => v.Ticks),
        _ when raw == typeof(TimeSpan) => (Func<TimeSpan, double>)(v => v.Ticks),
        _ => null,
    };

    private static JsonValue Rounded(double value) => JsonValue.Create(Math.Round(value, 6));

    private sealed class NumericColumn(string name, bool isKey, Func<double> read) : ColumnStatistics(name)
    {
        private long _present;
        private long _missing;
        private double _sum;
        private double _min = double.PositiveInfinity;
        private double _max = double.NegativeInfinity;

        public override void ReadCurrent(IncrementalHash hash)
        {
            var value = read();
            CanonicalWriter.WriteNumber(hash, value);
            // NaN is ML.NET's missing number; key value 0 is its missing key.
            if (double.IsNaN(value) || (isKey && value == 0))
            {
                _missing++;
                return;
            }

            _present++;
            _sum += value;
            _min = Math.Min(_min, value);
            _max = Math.Max(_max, value);
        }

        public override JsonObject ToProfile() => new()
        {
            ["mean"] = _present == 0 ? null : Rounded(_sum / _present),
            ["min"] = _present == 0 ? null : Rounded(_min),
            ["max"] = _present == 0 ? null : Rounded(_max),
            ["missing"] = _missing,
        };
    }

    private sealed class BooleanColumn(string name, ValueGetter<bool> getter) : ColumnStatistics(name)
    {
        private long _true;
        private long _false;

        public override void ReadCurrent(IncrementalHash hash)
        {
            var value = false;
            getter(ref value);
            CanonicalWriter.WriteNumber(hash, value ? 1 : 0);
            if (value)
            {
                _true++;
            }
            else
            {
                _false++;
            }
        }

        public override JsonObject ToProfile() => new() { ["true"] = _true, ["false"] = _false, ["missing"] = 0 };
    }

    private sealed class TextColumn(string name, ValueGetter<ReadOnlyMemory<char>> getter) : ColumnStatistics(name)
    {
        /// <summary>Past this many distinct values the column is free text, not a category: only the count of values seen goes on.</summary>
        private const int MaxLevels = 50;

        private readonly Dictionary<string, long> _levels = new(StringComparer.Ordinal);
        private bool _tooManyLevels;
        private long _missing;

        public override void ReadCurrent(IncrementalHash hash)
        {
            ReadOnlyMemory<char> value = default;
            getter(ref value);
            CanonicalWriter.WriteText(hash, value.Span);
            if (value.IsEmpty)
            {
                _missing++;
                return;
            }

            if (_tooManyLevels)
            {
                return;
            }

            var key = value.ToString();
            if (_levels.TryGetValue(key, out var count))
            {
                _levels[key] = count + 1;
            }
            else if (_levels.Count < MaxLevels)
            {
                _levels[key] = 1;
            }
            else
            {
                _tooManyLevels = true;
                _levels.Clear();
            }
        }

        public override JsonObject ToProfile()
        {
            var profile = new JsonObject { ["missing"] = _missing };
            if (_tooManyLevels)
            {
                profile["distinct"] = $"more than {MaxLevels}";
                return profile;
            }

            var levels = new JsonObject();
            foreach (var (level, count) in _levels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                levels[level] = count;
            }

            profile["levels"] = levels;
            return profile;
        }
    }

    private sealed class VectorColumn<T>(
        string name, int declaredSize, ValueGetter<VBuffer<T>> getter, Action<IncrementalHash, T> write, Func<T, bool> isMissing)
        : ColumnStatistics(name)
    {
        private VBuffer<T> _value;
        private long _missing;
        private int _minLength = int.MaxValue;
        private int _maxLength;

        public override void ReadCurrent(IncrementalHash hash)
        {
            getter(ref _value);
            CanonicalWriter.WriteNumber(hash, _value.Length);
            foreach (var item in _value.DenseValues())
            {
                write(hash, item);
                if (isMissing(item))
                {
                    _missing++;
                }
            }

            _minLength = Math.Min(_minLength, _value.Length);
            _maxLength = Math.Max(_maxLength, _value.Length);
        }

        public override JsonObject ToProfile() => new()
        {
            ["size"] = declaredSize == 0 ? null : declaredSize,
            ["min_length"] = _maxLength == 0 && _minLength == int.MaxValue ? 0 : _minLength,
            ["max_length"] = _maxLength,
            ["missing"] = _missing,
        };
    }
}
