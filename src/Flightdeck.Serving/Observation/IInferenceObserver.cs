using Flightdeck.Models;

namespace Flightdeck.Serving;

/// <summary>
/// Told about every finished inference, after the answer is known: metrics, the rollout guardrails' windows and the
/// inference log each observe through this one hook. It runs on the request's path, so an implementation must return
/// at once (count, or hand the record to a queue) and must not throw.
/// </summary>
public interface IInferenceObserver
{
    void OnInference(InferenceRecord record);
}

/// <summary>One finished inference. <see cref="Output"/> is null when it failed; <see cref="Endpoint"/> is null outside
/// a managed endpoint (a standalone <c>flightdeck serve</c>).</summary>
public sealed record InferenceRecord
{
    public required string RequestId { get; init; }
    public string? Endpoint { get; init; }
    public required string ModelName { get; init; }
    public required string Version { get; init; }

    /// <summary>The route's role (<c>LIVE</c>, <c>CANDIDATE</c>, <c>SHADOW</c>…); <c>LIVE</c> outside endpoints. A shadow
    /// answer was discarded, not returned.</summary>
    public string Role { get; init; } = "LIVE";
    public required DataBatch Input { get; init; }
    public DataBatch? Output { get; init; }

    /// <summary>The HTTP status the caller got (for a shadow: the one it would have got).</summary>
    public int StatusCode { get; init; }
    public string? Error { get; init; }
    public TimeSpan Latency { get; init; }
    public DateTimeOffset Timestamp { get; init; }

    public bool Failed => StatusCode >= 500;
}
