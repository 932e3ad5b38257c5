namespace Flightdeck.Server.Artifacts;

/// <summary>One entry of a folder listing. <see cref="Path"/> is relative to the store's root, like MLflow's artifact repositories.</summary>
public sealed record ArtifactEntry(string Path, bool IsDir, long? FileSize);

/// <summary>
/// Where artifact bytes live: a local folder or an S3 bucket. Paths are store-relative, '/'-separated and validated
/// by <see cref="ArtifactPath.Normalize"/>; bodies are streamed both ways, never held in memory whole.
/// </summary>
public interface IArtifactStore
{
    /// <summary>The direct children of a folder ("" is the root), sorted by path; empty when the folder does not exist.</summary>
    Task<IReadOnlyList<ArtifactEntry>> ListAsync(string relativeDir, CancellationToken ct);

    /// <summary>Opens a file for reading; RESOURCE_DOES_NOT_EXIST when there is no such file.</summary>
    Task<Stream> OpenReadAsync(string relativePath, CancellationToken ct);

    /// <summary>Stores a file, replacing any previous one; readers never see a partly written file.</summary>
    Task WriteAsync(string relativePath, Stream content, CancellationToken ct);

    /// <summary>Deletes a file, or a folder and everything under it; nothing happens when the path does not exist.</summary>
    Task DeleteAsync(string relativePath, CancellationToken ct);
}
