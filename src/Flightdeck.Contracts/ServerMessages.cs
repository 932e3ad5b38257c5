namespace Flightdeck.Contracts;

/// <summary>Answer of <c>GET /version</c> (MLflow answers plain text; Flightdeck's own route is JSON).</summary>
public sealed record VersionResponse(string Version, string MlflowCompatibility);

/// <summary>
/// Request of Flightdeck's <c>POST /api/flightdeck/v1/gc</c>: permanently delete runs and experiments that were deleted
/// more than <see cref="OlderThanMs"/> milliseconds ago, with their artifacts. Unknown fields are refused: a destructive
/// call must not read a malformed request as "purge everything".
/// </summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record GcRequest
{
    public long? OlderThanMs { get; init; }
    public List<string>? RunIds { get; init; }
    public List<string>? ExperimentIds { get; init; }
}

public sealed record GcResponse
{
    public List<string> DeletedRunIds { get; init; } = [];
    public List<string> DeletedExperimentIds { get; init; } = [];
}
