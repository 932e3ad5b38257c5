using System.Collections.Concurrent;

namespace Flightdeck.Serving.Tests.Infrastructure;

/// <summary>An inference observer that keeps every record it is told about.</summary>
public sealed class RecordingObserver : IInferenceObserver
{
    private readonly ConcurrentQueue<InferenceRecord> _records = new();

    public IReadOnlyList<InferenceRecord> Records => [.. _records];

    public void OnInference(InferenceRecord record) => _records.Enqueue(record);

    /// <summary>Waits until at least <paramref name="count"/> records arrived (observers run just after the answer).</summary>
    public async Task<IReadOnlyList<InferenceRecord>> WaitForAsync(int count)
    {
        for (var i = 0; i < 500 && _records.Count < count; i++)
            await Task.Delay(10);
        return Records;
    }
}
