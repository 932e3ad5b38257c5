namespace Flightdeck.Server.Outbox;

/// <summary>How the outbox dispatcher delivers and retries; the defaults suit production, tests shrink them.</summary>
public sealed record OutboxOptions
{
    /// <summary>How often the dispatcher looks for due messages when nothing woke it.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The delay before the first retry; each further retry doubles it (with jitter) up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A message still undelivered this long after it was written is given up (marked failed).</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromDays(3);

    /// <summary>How long delivered and given-up messages stay listed (webhook delivery history) before they are purged.</summary>
    public TimeSpan KeepFinishedFor { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The limit on one HTTP attempt; a claimed message's lease outlasts it.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How many destinations one dispatcher serves at once.</summary>
    public int BatchSize { get; init; } = 32;
}
