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

    /// <summary>How long a request may take; past it the prediction is cancelled and the answer is 504.</summary>
    public TimeSpan RequestTimeout { get; init; } = ServingRequests.DefaultTimeout;

    /// <summary>A folder for the inference log (JSON Lines, rotated by hour and size); null logs nothing.</summary>
    public string? InferenceLogDirectory { get; init; }

    /// <summary>Share of requests (0–1) the inference log keeps.</summary>
    public double InferenceLogSampleRate { get; init; } = 1.0;

    /// <summary>Largest inference log file before the next one is started.</summary>
    public long InferenceLogMaxFileBytes { get; init; } = JsonLinesInferenceLogSink.DefaultMaxFileBytes;

    /// <summary>Traces, metrics exporters and the like.</summary>
    public TelemetryOptions Telemetry { get; init; } = new();
}
