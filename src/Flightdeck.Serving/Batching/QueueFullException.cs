namespace Flightdeck.Serving;

/// <summary>A model's request queue is full: the caller should retry after <see cref="RetryAfter"/>. Served as
/// 429 Too Many Requests with a Retry-After header (429 rather than 503: the server is healthy, only this model is
/// saturated, and load balancers must not take the replica out of rotation for it).</summary>
public sealed class QueueFullException(string model, int queueLimit, TimeSpan retryAfter)
    : Exception($"Model '{model}' has {queueLimit} requests waiting already; retry after {retryAfter.TotalSeconds:0.#} s.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
