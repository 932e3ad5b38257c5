using System.Reflection;
using Flightdeck.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Hosting;

internal static class HealthApi
{
    /// <summary>The MLflow server version whose REST protocol Flightdeck speaks; MLflow clients read it from /version.</summary>
    public const string MlflowCompatibleVersion = "2.22.0";

    public static string FlightdeckVersion { get; } =
        typeof(HealthApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", () => TypedResults.Text("OK"));
        routes.MapGet("/version", () => TypedResults.Text(MlflowCompatibleVersion));
        routes.MapGet("/api/flightdeck/v1/version", () =>
            TypedResults.Json(new VersionResponse(FlightdeckVersion, MlflowCompatibleVersion), FlightdeckJsonContext.Default.VersionResponse));
        return routes;
    }

    /// <summary>Unknown routes under the API prefixes answer MLflow's ENDPOINT_NOT_FOUND instead of an empty 404.</summary>
    public static IEndpointRouteBuilder MapUnknownApiRoutes(this IEndpointRouteBuilder routes)
    {
        foreach (var prefix in new[] { "/api/{**rest}", "/ajax-api/{**rest}" })
        {
            routes.Map(prefix, (HttpContext context) => ErrorHandlingMiddleware.WriteAsync(context, 404, ErrorCode.EndpointNotFound,
                $"No API endpoint {context.Request.Method} {context.Request.Path}."));
        }

        return routes;
    }
}
