using Flightdeck.Contracts;

namespace Flightdeck.Server.Artifacts;

/// <summary>Artifacts as files under a root folder. Uploads land in a hidden temp file and are renamed into place when complete.</summary>
internal sealed class LocalArtifactStore : IArtifactStore
{
    private const string UploadSuffix = ".flightdeck-upload";
    private const int CopyBufferSize = 1024 * 1024;

    public LocalArtifactStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public Task<IReadOnlyList<ArtifactEntry>> ListAsync(string relativeDir, CancellationToken ct)
    {
        var dir = new DirectoryInfo(Resolve(relativeDir));
        if (!dir.Exists)
        {
            return Task.FromResult<IReadOnlyList<ArtifactEntry>>([]);
        }

        IReadOnlyList<ArtifactEntry> entries = dir.EnumerateFileSystemInfos()
            .Where(entry => !entry.Name.EndsWith(UploadSuffix, StringComparison.Ordinal))
            .Select(entry => new ArtifactEntry(
                ArtifactPath.Combine(relativeDir, entry.Name),
                entry is DirectoryInfo,
                entry is System.IO.FileInfo file ? file.Length : null))
            .OrderBy(entry => entry.Path, StringComparer.Ordinal)
            .ToList();
        return Task.FromResult(entries);
    }

    public Task<Stream> OpenReadAsync(string relativePath, CancellationToken ct)
    {
        var path = Resolve(ArtifactPath.NormalizeNonRoot(relativePath));
        try
        {
            if (!Directory.Exists(path))
            {
                return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                    bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan));
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
        }

        throw NotFound(relativePath);
    }

    public async Task WriteAsync(string relativePath, Stream content, CancellationToken ct)
    {
        var target = Resolve(ArtifactPath.NormalizeNonRoot(relativePath));
        var folder = Path.GetDirectoryName(target)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (IOException)
        {
            throw Conflict(relativePath);
        }

        if (Directory.Exists(target))
        {
            throw Conflict(relativePath);
        }

        var temp = Path.Combine(folder, $".{Guid.NewGuid():N}{UploadSuffix}");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None,
                bufferSize: 0, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(file, CopyBufferSize, ct);
            }

            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public Task DeleteAsync(string relativePath, CancellationToken ct)
    {
        var path = Resolve(ArtifactPath.NormalizeNonRoot(relativePath));
        try
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
            else if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Deleted concurrently: the outcome is the one asked for.
        }

        return Task.CompletedTask;
    }

    /// <summary>The absolute path of a validated relative path, checked once more to be under the root.</summary>
    private string Resolve(string relativePath)
    {
        var normalized = ArtifactPath.Normalize(relativePath);
        if (normalized.Length == 0)
        {
            return Root;
        }

        var full = Path.GetFullPath(Path.Combine(Root, normalized));
        return full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full : throw ArtifactPath.Invalid();
    }

    private static FlightdeckException NotFound(string path) => FlightdeckException.NotFound($"No artifact at '{path}'.");

    private static FlightdeckException Conflict(string path) =>
        FlightdeckException.InvalidParameter($"Cannot write '{path}': a file and a folder would have the same path.");
}
