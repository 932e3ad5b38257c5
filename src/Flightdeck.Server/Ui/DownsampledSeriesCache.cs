namespace Flightdeck.Server.Ui;

/// <summary>What a chart asked for: one metric of one run, at a point budget, over a step range (null: all of it).</summary>
internal readonly record struct SeriesRequest(string RunId, string Key, int Points, long? MinStep, long? MaxStep);

/// <summary>
/// Recently drawn series, so a run page opened again (or by a second viewer) costs a version check per metric instead
/// of reading every point. An entry is served only for the exact <see cref="SeriesVersion"/> it was computed from, which
/// the caller reads from the store first, so it is never stale; the servers stay stateless for correctness. Bounded by
/// the points held, least recently used first out.
/// </summary>
internal sealed class DownsampledSeriesCache(long capacityPoints = DownsampledSeriesCache.DefaultCapacityPoints)
{
    /// <summary>About 48 MB: 24 bytes a point, so a thousand 2,000-point charts.</summary>
    public const long DefaultCapacityPoints = 2_000_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<SeriesRequest, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recent = [];
    private long _points;
    private long _hits;
    private long _misses;

    /// <summary>Lookups answered from the cache, and not, since start (for tests and diagnostics).</summary>
    public (long Hits, long Misses) Lookups
    {
        get
        {
            lock (_lock)
            {
                return (_hits, _misses);
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public bool TryGet(SeriesRequest request, SeriesVersion version, out DownsampledSeries series)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(request, out var node) && node.Value.Version == version)
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                series = node.Value.Series;
                _hits++;
                return true;
            }

            _misses++;
        }

        series = null!;
        return false;
    }

    public void Put(SeriesRequest request, SeriesVersion version, DownsampledSeries series)
    {
        if (series.ReturnedPoints > capacityPoints)
        {
            return;
        }

        lock (_lock)
        {
            if (_entries.Remove(request, out var old))
            {
                Forget(old);
            }

            var node = _recent.AddFirst(new Entry(request, version, series));
            _entries[request] = node;
            _points += series.ReturnedPoints;
            while (_points > capacityPoints && _recent.Last is { } last)
            {
                _entries.Remove(last.Value.Request);
                Forget(last);
            }
        }
    }

    private void Forget(LinkedListNode<Entry> node)
    {
        _recent.Remove(node);
        _points -= node.Value.Series.ReturnedPoints;
    }

    private sealed record Entry(SeriesRequest Request, SeriesVersion Version, DownsampledSeries Series);
}
