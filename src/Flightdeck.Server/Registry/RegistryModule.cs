using Flightdeck.Server.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Registry;

internal static class RegistryModule
{
    public static IServiceCollection AddRegistry(this IServiceCollection services)
    {
        services.AddSingleton<RegisteredModelStore>();
        services.AddSingleton<ModelVersionStore>();
        services.AddSingleton<RegistryEvents>();
        return services;
    }

    /// <summary>The registry under both MLflow prefixes, and Flightdeck's history routes.</summary>
    public static IEndpointRouteBuilder MapRegistryApi(this IEndpointRouteBuilder routes)
    {
        foreach (var prefix in TrackingModule.MlflowPrefixes)
        {
            var api = routes.MapGroup(prefix).WithTags("Model registry");
            api.MapRegisteredModelsApi();
            api.MapModelVersionsApi();
        }

        routes.MapModelVersionArtifactApi();
        routes.MapRegistryHistoryApi();
        return routes;
    }
}
