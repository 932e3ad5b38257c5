using Flightdeck.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;
using FileInfo = Flightdeck.Contracts.FileInfo;

namespace Flightdeck.Server.Artifacts;

/// <summary>
/// MLflow's proxied artifact service (mlflow_artifacts.proto): clients whose run artifact URI is
/// <c>mlflow-artifacts:/&lt;experiment&gt;/&lt;run&gt;/artifacts</c> upload, download, list and delete through these routes,
/// and the path after <c>/artifacts/</c> is the store-relative path.
/// </summary>
internal static class ArtifactsApi
{
    /// <summary>MLflow serves the service under /api for clients and /ajax-api for its UI.</summary>
    public static readonly string[] Prefixes = ["/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts"];

    private const int CopyBufferSize = 1024 * 1024;

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IEndpointRouteBuilder MapArtifactsApi(this IEndpointRouteBuilder routes)
    {
        foreach (var prefix in Prefixes)
        {
            var group = routes.MapGroup(prefix + "/artifacts").WithTags("Artifacts");
            group.MapGet("", ListAsync);
            group.MapGet("/{**path}", DownloadAsync);
            group.MapPut("/{**path}", UploadAsync);
            group.MapDelete("/{**path}", DeleteAsync);
        }

        return routes;
    }

    private static async Task<IResult> ListAsync(string? path, IArtifactStore store, CancellationToken ct)
    {
        var entries = await store.ListAsync(ArtifactPath.Normalize(path ?? ""), ct);
        var files = entries.Select(entry => new FileInfo
        {
            Path = ArtifactPath.FileName(entry.Path), // MLflow answers names relative to the listed folder.
            IsDir = entry.IsDir,
            FileSize = entry.IsDir ? null : entry.FileSize,
        }).ToList();
        return TypedResults.Json(new ListProxiedArtifactsResponse { Files = files }, FlightdeckJsonContext.Default.ListProxiedArtifactsResponse);
    }

    private static Task DownloadAsync(HttpContext context, string? path, IArtifactStore store) =>
        WriteFileAsync(context, store, ArtifactPath.NormalizeNonRoot(path ?? ""));

    /// <summary>Streams a stored file as an attachment (also used by the run-scoped get-artifact route).</summary>
    internal static async Task WriteFileAsync(HttpContext context, IArtifactStore store, string relative)
    {
        await using var content = await store.OpenReadAsync(relative, context.RequestAborted);

        var response = context.Response;
        response.ContentType = ContentTypeOf(relative);
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(ArtifactPath.FileName(relative));
        response.Headers.ContentDisposition = disposition.ToString();
        response.Headers.XContentTypeOptions = "nosniff";
        response.ContentLength = content switch
        {
            ArtifactReadStream { KnownLength: { } length } => length,
            { CanSeek: true } seekable => seekable.Length,
            _ => null,
        };
        await content.CopyToAsync(response.Body, CopyBufferSize, context.RequestAborted);
    }

    private static async Task<IResult> UploadAsync(HttpContext context, string? path, IArtifactStore store)
    {
        var relative = ArtifactPath.NormalizeNonRoot(path ?? "");
        try
        {
            await store.WriteAsync(relative, context.Request.Body, context.RequestAborted);
        }
        catch (IOException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client hung up mid-upload: the store has discarded the partial file, and there is no one to answer.
            return TypedResults.Empty;
        }

        return TypedResults.Json(EmptyResponse.Instance, FlightdeckJsonContext.Default.EmptyResponse);
    }

    private static async Task<IResult> DeleteAsync(string? path, IArtifactStore store, CancellationToken ct)
    {
        await store.DeleteAsync(ArtifactPath.NormalizeNonRoot(path ?? ""), ct);
        return TypedResults.Json(EmptyResponse.Instance, FlightdeckJsonContext.Default.EmptyResponse);
    }

    /// <summary>The file's type by extension, except types a browser would run (HTML, scripts, SVG), which go as plain text as in MLflow.</summary>
    private static string ContentTypeOf(string path)
    {
        if (!ContentTypes.TryGetContentType(path, out var type))
        {
            return "application/octet-stream";
        }

        return type.Contains("html", StringComparison.OrdinalIgnoreCase)
            || type.Contains("javascript", StringComparison.OrdinalIgnoreCase)
            || type.Contains("svg", StringComparison.OrdinalIgnoreCase)
            || type.Contains("xml", StringComparison.OrdinalIgnoreCase)
            ? "text/plain"
            : type;
    }
}
