namespace Flightdeck.Serving;

/// <summary>Where <see cref="InferenceLogger"/> stores what it logs: the server's database table, or JSON Lines files
/// for a standalone <c>flightdeck serve</c>. Called from one background writer at a time, with batches.</summary>
public interface IInferenceLogSink
{
    /// <summary>Stores <paramref name="entries"/> durably (all or none where the sink can), returning once they are.
    /// The entries' JSON is only promised to stay valid until this call returns (copy it to keep it).</summary>
    Task WriteAsync(IReadOnlyList<InferenceLogEntry> entries, CancellationToken cancellationToken);
}

/// <summary>One logged inference, with its inputs and outputs already written as UTF-8 JSON arrays of records (one
/// object per row), ready to be copied into a line or bound to a statement without another conversion.</summary>
public readonly record struct InferenceLogEntry
{
    public required string RequestId { get; init; }
    public string? Endpoint { get; init; }
    public required string ModelName { get; init; }
    public required string Version { get; init; }
    public required string Role { get; init; }

    /// <summary>UTF-8 JSON: an array of records.</summary>
    public required ReadOnlyMemory<byte> InputsJson { get; init; }

    /// <summary>UTF-8 JSON, an array of records; null when the inference failed. Empty counts as null too (a null
    /// <c>byte[]</c> converts to an empty, not a null, memory).</summary>
    public ReadOnlyMemory<byte>? OutputsJson { get; init; }

    /// <summary>The outputs' JSON, or false when there are none.</summary>
    public bool TryGetOutputs(out ReadOnlySpan<byte> json)
    {
        json = OutputsJson is { IsEmpty: false } outputs ? outputs.Span : default;
        return !json.IsEmpty;
    }
    public int Status { get; init; }
    public string? Error { get; init; }
    public long LatencyUs { get; init; }

    /// <summary>Unix epoch milliseconds of the answer.</summary>
    public long Time { get; init; }
}
