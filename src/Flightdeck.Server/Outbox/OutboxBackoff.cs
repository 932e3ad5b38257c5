namespace Flightdeck.Server.Outbox;

/// <summary>
/// Exponential backoff with "equal jitter": the n-th retry waits between half and all of base·2^(n-1), capped, so
/// retries of many messages that failed together spread out instead of arriving at the receiver in one burst.
/// </summary>
internal static class OutboxBackoff
{
    public static TimeSpan Delay(int failedAttempts, TimeSpan baseDelay, TimeSpan maxDelay, double random)
    {
        var exponent = Math.Clamp(failedAttempts - 1, 0, 30);
        var full = Math.Min(baseDelay.TotalMilliseconds * Math.Pow(2, exponent), maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(full / 2 + full / 2 * Math.Clamp(random, 0, 1));
    }
}
