namespace Flightdeck.Serving;

/// <summary>Where and how a standalone serving process listens.</summary>
public sealed record ServingOptions
{
    /// <summary>Interface to bind; loopback unless asked otherwise.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Port to bind; 0 picks a free one.</summary>
    public int Port { get; init; } = 5001;

    /// <summary>Largest request body accepted; larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 16 * 1024 * 1024;
}
