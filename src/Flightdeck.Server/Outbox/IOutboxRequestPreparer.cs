namespace Flightdeck.Server.Outbox;

/// <summary>
/// Completes the requests of one kind of outbox message just before each attempt, with what must not be stored in
/// the message or must be fresh per attempt: a webhook's signature needs its secret and the attempt's timestamp.
/// </summary>
internal interface IOutboxRequestPreparer
{
    string Kind { get; }

    /// <summary>Adds to <paramref name="request"/>; returns false when the message should be given up (its subscription is gone).</summary>
    Task<bool> PrepareAsync(ClaimedMessage message, HttpRequestMessage request, CancellationToken ct);
}
