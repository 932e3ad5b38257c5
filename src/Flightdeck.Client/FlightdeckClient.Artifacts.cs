using System.Net.Http.Headers;
using Flightdeck.Client.Http;
using Flightdeck.Contracts;

namespace Flightdeck.Client;

// Artifacts travel through the server's proxied artifact API, streamed both ways: files are never held in memory.
// "runIdOrArtifactUri" is either a run id (its artifact root is looked up) or an artifact URI such as mlflow-artifacts:/1/abc/artifacts.
public sealed partial class FlightdeckClient
{
    /// <summary>GET artifacts/list: the entries directly under <paramref name="path"/> of a run's artifacts (relative to the run's root).</summary>
    public Task<ListArtifactsResponse> ListArtifactsAsync(
        string runId, string? path = null, string? pageToken = null, CancellationToken cancellationToken = default) =>
        GetAsync("artifacts/list", new QueryString().Add("run_id", runId).Add("path", string.IsNullOrEmpty(path) ? null : path)
            .Add("page_token", pageToken), Json.ListArtifactsResponse, cancellationToken);

    /// <summary>GET /api/2.0/mlflow-artifacts/artifacts?path=: the entries directly under a proxy path (e.g. <c>1/abc/artifacts/model</c>).</summary>
    public Task<ListProxiedArtifactsResponse> ListProxiedArtifactsAsync(string proxyPath, CancellationToken cancellationToken = default)
    {
        var path = ArtifactPath.Normalize(proxyPath);
        return GetAsync(ArtifactPath.ProxyRoute, new QueryString().Add("path", path.Length == 0 ? null : path), Json.ListProxiedArtifactsResponse,
            cancellationToken, prefix: "");
    }

    /// <summary>The proxy path of a run's artifact root, or of an artifact URI.</summary>
    public async Task<string> ResolveArtifactRootAsync(string runIdOrArtifactUri, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runIdOrArtifactUri);
        if (runIdOrArtifactUri.Contains(':', StringComparison.Ordinal))
        {
            return ArtifactPath.ToProxyPath(runIdOrArtifactUri);
        }

        var run = await GetRunAsync(runIdOrArtifactUri, cancellationToken);
        return ArtifactPath.ToProxyPath(run.Run.Info.ArtifactUri);
    }

    /// <summary>
    /// Uploads a local file to <c>&lt;artifactPath&gt;/&lt;file name&gt;</c>, or the contents of a local directory under
    /// <paramref name="artifactPath"/>, as MLflow's log_artifact / log_artifacts do. <paramref name="progress"/> receives the total
    /// bytes sent so far. Returns the number of files uploaded.
    /// </summary>
    public async Task<int> UploadArtifactAsync(
        string runIdOrArtifactUri, string localPath, string? artifactPath = null, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var root = await ResolveArtifactRootAsync(runIdOrArtifactUri, cancellationToken);
        var target = ArtifactPath.Normalize(artifactPath);
        if (File.Exists(localPath))
        {
            await PutFileAsync(ArtifactPath.Combine(root, target, Path.GetFileName(localPath)), localPath, progress, 0, cancellationToken);
            return 1;
        }

        if (!Directory.Exists(localPath))
        {
            throw new FileNotFoundException($"No file or directory at '{localPath}'.", localPath);
        }

        long sent = 0;
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(localPath, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(localPath, file).Replace(Path.DirectorySeparatorChar, '/');
            sent += await PutFileAsync(ArtifactPath.Combine(root, target, relative), file, progress, sent, cancellationToken);
            count++;
        }

        return count;
    }

    /// <summary>Uploads a stream to the artifact file <paramref name="artifactFilePath"/> (e.g. <c>model/weights.bin</c>), streaming it.</summary>
    public async Task UploadArtifactAsync(
        string runIdOrArtifactUri, Stream content, string artifactFilePath, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var root = await ResolveArtifactRootAsync(runIdOrArtifactUri, cancellationToken);
        var target = ArtifactPath.Normalize(artifactFilePath);
        if (target.Length == 0)
        {
            throw new ArgumentException("An artifact file path is required.", nameof(artifactFilePath));
        }

        await PutAsync(ArtifactPath.Combine(root, target), content, progress, 0, cancellationToken);
    }

    /// <summary>
    /// Downloads an artifact file or directory (<paramref name="artifactPath"/>, relative to the run's root; empty for everything)
    /// into the local directory <paramref name="destination"/>: a file lands at <c>destination/&lt;file name&gt;</c>, a directory at
    /// <c>destination/&lt;directory name&gt;/...</c>. Files are written to a temporary name and renamed when complete.
    /// Returns the local path of what was downloaded.
    /// </summary>
    public async Task<string> DownloadArtifactAsync(
        string runIdOrArtifactUri, string? artifactPath, string destination, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var root = await ResolveArtifactRootAsync(runIdOrArtifactUri, cancellationToken);
        var relative = ArtifactPath.Normalize(artifactPath);
        var source = ArtifactPath.Combine(root, relative);
        var localRoot = relative.Length == 0 ? destination : Path.Combine(destination, ArtifactPath.LastSegment(relative));

        var entries = await ListProxiedArtifactsAsync(source, cancellationToken);
        if (entries.Files.Count == 0 && relative.Length > 0)
        {
            Directory.CreateDirectory(destination);
            await GetFileAsync(source, localRoot, progress, 0, cancellationToken);
            return localRoot;
        }

        Directory.CreateDirectory(localRoot);
        long received = 0;
        var pending = new Stack<(string Remote, string Local, List<Contracts.FileInfo> Files)>();
        pending.Push((source, localRoot, entries.Files));
        while (pending.TryPop(out var folder))
        {
            foreach (var entry in folder.Files)
            {
                // The listing may give names or paths; the last segment is the entry's name either way.
                var name = ArtifactPath.Normalize(ArtifactPath.LastSegment(entry.Path));
                var remote = ArtifactPath.Combine(folder.Remote, name);
                var local = Path.Combine(folder.Local, name);
                if (entry.IsDir)
                {
                    Directory.CreateDirectory(local);
                    pending.Push((remote, local, (await ListProxiedArtifactsAsync(remote, cancellationToken)).Files));
                }
                else
                {
                    received += await GetFileAsync(remote, local, progress, received, cancellationToken);
                }
            }
        }

        return localRoot;
    }

    /// <summary>Downloads one artifact file into a stream. Returns the number of bytes written.</summary>
    public async Task<long> DownloadArtifactAsync(
        string runIdOrArtifactUri, string artifactFilePath, Stream destination, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var root = await ResolveArtifactRootAsync(runIdOrArtifactUri, cancellationToken);
        return await GetAsync(ArtifactPath.Combine(root, ArtifactPath.Normalize(artifactFilePath)), destination, progress, 0, cancellationToken);
    }

    /// <summary>DELETE an artifact file through the proxy.</summary>
    public async Task DeleteArtifactAsync(string runIdOrArtifactUri, string artifactFilePath, CancellationToken cancellationToken = default)
    {
        var root = await ResolveArtifactRootAsync(runIdOrArtifactUri, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Delete, ArtifactPath.ToRoute(ArtifactPath.Combine(root, ArtifactPath.Normalize(artifactFilePath))));
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAnswer.ReadAsync(response, cancellationToken);
        }
    }

    private async Task<long> PutFileAsync(string proxyPath, string localFile, IProgress<long>? progress, long sentBefore, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(localFile, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous);
        await PutAsync(proxyPath, file, progress, sentBefore, cancellationToken);
        return file.Length;
    }

    private async Task PutAsync(string proxyPath, Stream content, IProgress<long>? progress, long sentBefore, CancellationToken cancellationToken)
    {
        using var body = new ProgressStreamContent(content, progress, sentBefore);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Put, ArtifactPath.ToRoute(proxyPath)) { Content = body };
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAnswer.ReadAsync(response, cancellationToken);
        }
    }

    private async Task<long> GetFileAsync(string proxyPath, string localFile, IProgress<long>? progress, long receivedBefore, CancellationToken cancellationToken)
    {
        var partial = localFile + ".part";
        try
        {
            long length;
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous))
            {
                length = await GetAsync(proxyPath, file, progress, receivedBefore, cancellationToken);
            }

            File.Move(partial, localFile, overwrite: true);
            return length;
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    private async Task<long> GetAsync(string proxyPath, Stream destination, IProgress<long>? progress, long receivedBefore, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ArtifactPath.ToRoute(proxyPath));
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAnswer.ReadAsync(response, cancellationToken);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await StreamCopy.CopyAsync(body, destination, progress, receivedBefore, cancellationToken);
    }
}
