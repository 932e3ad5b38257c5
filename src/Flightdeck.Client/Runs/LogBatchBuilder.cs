using System.Text;
using Flightdeck.Contracts;

namespace Flightdeck.Client.Runs;

/// <summary>
/// Packs queued entries into one log-batch request within MLflow's limits (mlflow/utils/validation.py): at most 1000 metrics,
/// 100 params, 100 tags, 1000 entities in all, a JSON body under 1 MB, and no param key twice.
/// </summary>
internal sealed class LogBatchBuilder
{
    public const int MaxMetrics = 1000;
    public const int MaxParams = 100;
    public const int MaxTags = 100;
    public const int MaxEntities = 1000;

    // The server's cap is 1,000,000 bytes; the margin covers JSON escapes this estimate does not count.
    public const int MaxApproximateBytes = 900_000;
    private const int EntryOverheadBytes = 64;

    private readonly List<Metric> _metrics = [];
    private readonly List<Param> _params = [];
    private readonly List<RunTag> _tags = [];
    private readonly Dictionary<string, string?> _paramValues = new(StringComparer.Ordinal);
    private int _bytes;

    public bool IsEmpty => Count == 0;

    public int Count => _metrics.Count + _params.Count + _tags.Count;

    /// <summary>
    /// Adds the entry, or returns false when it belongs in the next batch. An empty builder accepts any entry.
    /// A param already in this batch with the same value is dropped (logging it again is a no-op on the server).
    /// </summary>
    public bool TryAdd(LogEntry entry)
    {
        var size = EntryOverheadBytes + entry switch
        {
            MetricEntry m => Utf8(m.Metric.Key),
            ParamEntry p => Utf8(p.Param.Key) + Utf8(p.Param.Value),
            TagEntry t => Utf8(t.Tag.Key) + Utf8(t.Tag.Value),
            _ => throw new ArgumentException($"{entry.GetType().Name} is not a batch entry.", nameof(entry)),
        };
        if (entry is ParamEntry dup && dup.Param.Key is { } dupKey && _paramValues.TryGetValue(dupKey, out var existing))
        {
            // Same value: nothing to send. A different value must reach the server in its own batch, which refuses it by name.
            return existing == dup.Param.Value;
        }

        if (!IsEmpty && (Count + 1 > MaxEntities || _bytes + size > MaxApproximateBytes || IsFull(entry)))
        {
            return false;
        }

        switch (entry)
        {
            case MetricEntry m:
                _metrics.Add(m.Metric);
                break;
            case ParamEntry p:
                _params.Add(p.Param);
                _paramValues[p.Param.Key ?? ""] = p.Param.Value;
                break;
            case TagEntry t:
                _tags.Add(t.Tag);
                break;
        }

        _bytes += size;
        return true;
    }

    public LogBatchRequest Build(string runId) => new()
    {
        RunId = runId,
        Metrics = [.. _metrics],
        Params = [.. _params],
        Tags = [.. _tags],
    };

    private bool IsFull(LogEntry entry) => entry switch
    {
        MetricEntry => _metrics.Count >= MaxMetrics,
        ParamEntry => _params.Count >= MaxParams,
        TagEntry => _tags.Count >= MaxTags,
        _ => false,
    };

    private static int Utf8(string? text) => text is null ? 0 : Encoding.UTF8.GetByteCount(text);
}
