using Flightdeck.Contracts;
using Flightdeck.Server.Artifacts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using FileInfo = Flightdeck.Contracts.FileInfo;

namespace Flightdeck.Server.Tracking;

/// <summary>
/// The run-scoped artifact routes: <c>/api/2.0/mlflow/artifacts/list</c> and <c>/get-artifact</c>, which name a run and a path
/// inside its artifact root. They reach the store through the run's <c>mlflow-artifacts:/</c> URI.
/// </summary>
internal static class RunArtifactsApi
{
    public const string ProxyScheme = "mlflow-artifacts:";

    public static void MapRunArtifactsApi(this RouteGroupBuilder api) => api.MapGet("/artifacts/list", List);

    public static IEndpointRouteBuilder MapGetArtifact(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/get-artifact", Get);
        routes.MapGet("/ajax-api/2.0/mlflow/get-artifact", Get);
        return routes;
    }

    /// <summary>The store-relative folder of a run's artifacts, or null when its URI is not served by this server.</summary>
    public static string? StoreRoot(string artifactUri)
    {
        if (!artifactUri.StartsWith(ProxyScheme, StringComparison.Ordinal))
        {
            return null;
        }

        return ArtifactPath.Normalize(artifactUri[ProxyScheme.Length..].TrimStart('/'));
    }

    private static async Task<IResult> List(HttpContext context, RunStore runs, IArtifactStore store)
    {
        var query = context.Request.Query;
        var runId = Validation.RunId(query.String("run_id") is { Length: > 0 } id ? id : query.String("run_uuid"));
        var (artifactUri, root) = await ResolveAsync(runs, runId, context.RequestAborted);
        var path = ArtifactPath.Normalize(query.String("path") ?? "");
        var folder = path.Length == 0 ? root : ArtifactPath.Combine(root, path);
        var entries = await store.ListAsync(folder, context.RequestAborted);
        var files = entries.Select(e => new FileInfo
        {
            Path = e.Path.Length > root.Length ? e.Path[(root.Length + 1)..] : e.Path,
            IsDir = e.IsDir,
            FileSize = e.IsDir ? null : e.FileSize,
        }).ToList();
        return TypedResults.Json(new ListArtifactsResponse { RootUri = artifactUri, Files = files },
            FlightdeckJsonContext.Default.ListArtifactsResponse);
    }

    private static async Task Get(HttpContext context, RunStore runs, IArtifactStore store)
    {
        var query = context.Request.Query;
        var runId = Validation.RunId(query.String("run_id") is { Length: > 0 } id ? id : query.String("run_uuid"));
        var path = ArtifactPath.NormalizeNonRoot(Validation.Required(query.String("path"), "path"));
        var (_, root) = await ResolveAsync(runs, runId, context.RequestAborted);
        await ArtifactsApi.WriteFileAsync(context, store, ArtifactPath.Combine(root, path));
    }

    private static async Task<(string ArtifactUri, string Root)> ResolveAsync(RunStore runs, string runId, CancellationToken ct)
    {
        var location = await runs.FindLocationAsync(runId, ct) ?? throw Validation.RunNotFound(runId);
        var root = StoreRoot(location.artifact_uri) ?? throw FlightdeckException.InvalidParameter(
            $"The artifacts of run {runId} live at '{location.artifact_uri}', which this server does not proxy; read them from that location directly.");
        return (location.artifact_uri, root);
    }
}
