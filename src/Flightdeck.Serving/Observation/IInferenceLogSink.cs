namespace Flightdeck.Serving;

/// <summary>Where <see cref="InferenceLogger"/> stores what it logs: the server's database table, or JSON Lines files
/// for a standalone <c>flightdeck serve</c>. Called from one background writer at a time, with batches.</summary>
public interface IInferenceLogSink
{
    /// <summary>Stores <paramref name="entries"/> durably (all or none where the sink can), returning once they are.</summary>
    Task WriteAsync(IReadOnlyList<InferenceLogEntry> entries, CancellationToken cancellationToken);
}

/// <summary>One logged inference, with its inputs and outputs already written as JSON records (one object per row).</summary>
public sealed record InferenceLogEntry
{
    public required string RequestId { get; init; }
    public string? Endpoint { get; init; }
    public required string ModelName { get; init; }
    public required string Version { get; init; }
    public required string Role { get; init; }
    public required string InputsJson { get; init; }

    /// <summary>Null when the inference failed.</summary>
    public string? OutputsJson { get; init; }
    public int Status { get; init; }
    public string? Error { get; init; }
    public long LatencyUs { get; init; }

    /// <summary>Unix epoch milliseconds of the answer.</summary>
    public long Time { get; init; }
}
