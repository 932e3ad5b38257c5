namespace Flightdeck.Analytics;

/// <summary>
/// A uniform random sample of at most <see cref="Capacity"/> values out of a stream of unknown length (Vitter's
/// algorithm R): the first <c>k</c> values fill the reservoir, and the <c>n</c>-th value after that replaces a random
/// slot with probability <c>k/n</c>, so every value seen has the same chance to be in the sample. Memory stays fixed
/// however long the stream. Safe for concurrent use (one short lock per add).
/// </summary>
public sealed class ReservoirSample
{
    private readonly double[] _values;
    private readonly Random _random;
    private readonly Lock _gate = new();
    private long _seen;

    public ReservoirSample(int capacity, int? seed = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _values = new double[capacity];
        _random = seed is { } s ? new Random(s) : new Random();
    }

    public int Capacity => _values.Length;

    /// <summary>How many values the stream has offered so far.</summary>
    public long Seen
    {
        get
        {
            lock (_gate)
                return _seen;
        }
    }

    public void Add(double value)
    {
        lock (_gate)
            AddLocked(value);
    }

    public void AddRange(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
            return;
        lock (_gate)
        {
            foreach (var value in values)
                AddLocked(value);
        }
    }

    /// <summary>A copy of the sample (all values seen while fewer than <see cref="Capacity"/> were).</summary>
    public double[] ToArray()
    {
        lock (_gate)
            return _values.AsSpan(0, (int)Math.Min(_seen, _values.Length)).ToArray();
    }

    private void AddLocked(double value)
    {
        _seen++;
        if (_seen <= _values.Length)
        {
            _values[_seen - 1] = value;
            return;
        }
        var slot = _random.NextInt64(_seen);
        if (slot < _values.Length)
            _values[slot] = value;
    }
}
