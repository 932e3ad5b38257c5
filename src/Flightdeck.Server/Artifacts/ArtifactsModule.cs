using Flightdeck.Server.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Artifacts;

// Placeholder wiring; the artifact store and the proxied artifact API land here.
internal static class ArtifactsModule
{
    public static IServiceCollection AddArtifacts(this IServiceCollection services, ServerOptions options) => services;

    public static IEndpointRouteBuilder MapArtifactsApi(this IEndpointRouteBuilder routes) => routes;
}
