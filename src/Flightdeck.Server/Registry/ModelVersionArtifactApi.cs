using Flightdeck.Contracts;
using Flightdeck.Server.Artifacts;
using Flightdeck.Server.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Registry;

/// <summary>
/// <c>GET model-versions/get-artifact?name&amp;version&amp;path</c>: one file of a registered version, read from the
/// artifact store under the version's storage location. MLflow serves it outside <c>/api</c>; Flightdeck also serves it
/// under both MLflow prefixes.
/// </summary>
internal static class ModelVersionArtifactApi
{
    private const string Route = "/model-versions/get-artifact";

    // Percent-encoded separators, dots and NUL that survived the query's decoding: whatever decodes the path again would see them.
    private static readonly string[] EncodedForbidden = ["%2f", "%5c", "%2e", "%00"];

    public static IEndpointRouteBuilder MapModelVersionArtifactApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Route, Get).WithTags("Model registry");
        foreach (var prefix in TrackingModule.MlflowPrefixes)
        {
            routes.MapGet(prefix + Route, Get).WithTags("Model registry");
        }

        return routes;
    }

    private static async Task Get(HttpContext context, ModelVersionStore versions, IArtifactStore store)
    {
        var query = context.Request.Query;
        var name = RegistryValidation.ModelName(query.String("name"));
        var version = RegistryValidation.Version(query.String("version"));
        var path = FilePath(Validation.Required(query.String("path"), "path"));
        var location = await versions.DownloadUriAsync(name, version, context.RequestAborted);
        var root = RunArtifactsApi.StoreRoot(location) ?? throw FlightdeckException.InvalidParameter(
            $"The files of model version {version} of {Validation.Shorten(name)} live at '{Validation.Shorten(location)}', which this server does not "
            + "proxy; read them from that location directly.");
        await ArtifactsApi.WriteFileAsync(context, store, ArtifactPath.Combine(root, path));
    }

    private static string FilePath(string path) =>
        EncodedForbidden.Any(e => path.Contains(e, StringComparison.OrdinalIgnoreCase))
            ? throw ArtifactPath.Invalid()
            : ArtifactPath.NormalizeNonRoot(path);
}
