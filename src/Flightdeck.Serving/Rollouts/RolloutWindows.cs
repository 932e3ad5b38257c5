using System.Collections.Concurrent;
using Flightdeck.Analytics;

namespace Flightdeck.Serving.Rollouts;

/// <summary>
/// The bake windows of endpoints being rolled out: per (endpoint, model, version), the requests, failures, latencies
/// and a sample of the predictions since the current step began. Only endpoints under <see cref="Watch"/> are
/// counted, so an endpoint without a rollout costs one dictionary miss per inference. Recording is lock-free apart
/// from the prediction reservoir's short lock, and never throws: this observer is on the request path.
/// </summary>
/// <remarks>The windows live in memory only. After a server restart they start empty, and the guardrails then bake
/// the step again from the restart (see GuardrailEvaluator), so a restart delays a rollout but never lets it advance
/// unjudged.</remarks>
public sealed class RolloutWindows(TimeProvider time) : IInferenceObserver
{
    private readonly ConcurrentDictionary<string, EndpointWindows> _endpoints = new(StringComparer.Ordinal);

    public void OnInference(InferenceRecord record)
    {
        if (record.Endpoint is null || !_endpoints.TryGetValue(record.Endpoint, out var windows))
            return;
        try
        {
            var window = windows.For(record.ModelName, record.Version);
            if (record.Output is { } output && !record.Failed)
                PredictionValues.RecordSuccess(window, record.Latency, output);
            else
                window.Record(record.Failed, record.Latency, []);
        }
        catch (Exception)
        {
            // A bad output shape must not fail the request it describes; the window just misses this record.
        }
    }

    /// <summary>Counts the endpoint's inferences into windows named <paramref name="windowKey"/> (say, rollout id and
    /// step). A key other than the current one starts fresh windows; the same key keeps them.</summary>
    public void Watch(string endpoint, string windowKey)
    {
        var current = _endpoints.GetOrAdd(endpoint, _ => new EndpointWindows(windowKey, time.GetUtcNow()));
        if (current.Key != windowKey)
            _endpoints.TryUpdate(endpoint, new EndpointWindows(windowKey, time.GetUtcNow()), current);
    }

    public void Unwatch(string endpoint) => _endpoints.TryRemove(endpoint, out _);

    public IReadOnlyCollection<string> WatchedEndpoints => [.. _endpoints.Keys];

    /// <summary>The window's key and start, or null when the endpoint is not watched.</summary>
    public (string Key, DateTimeOffset Started)? WindowOf(string endpoint) =>
        _endpoints.TryGetValue(endpoint, out var windows) ? (windows.Key, windows.Started) : null;

    /// <summary>One version's numbers in the endpoint's current window (empty, starting with the window, when it has had
    /// no inference or the endpoint is not watched).</summary>
    public InferenceWindowSnapshot Snapshot(string endpoint, string modelName, string version)
    {
        if (!_endpoints.TryGetValue(endpoint, out var windows))
            return InferenceWindowSnapshot.Empty(time.GetUtcNow());
        return windows.TryGet(modelName, version, out var window)
            ? window.Snapshot()
            : InferenceWindowSnapshot.Empty(windows.Started);
    }

    private sealed class EndpointWindows(string key, DateTimeOffset started)
    {
        private readonly ConcurrentDictionary<(string Model, string Version), InferenceWindow> _versions = new();

        public string Key { get; } = key;
        public DateTimeOffset Started { get; } = started;

        // Every version's window starts with the step, not with its first request, so the candidate and the live
        // version are compared over the same stretch of time.
        public InferenceWindow For(string model, string version) =>
            _versions.GetOrAdd((model, version), static (_, started) => new InferenceWindow(started), Started);

        public bool TryGet(string model, string version, out InferenceWindow window) =>
            _versions.TryGetValue((model, version), out window!);
    }
}
