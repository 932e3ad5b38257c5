using Flightdeck.Server.Artifacts;
using Flightdeck.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Endpoints;

internal static class EndpointsModule
{
    /// <summary>Managed serving endpoints: their store, lifecycle, the models they serve and the invocation path.</summary>
    public static IServiceCollection AddEndpoints(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton<EndpointStore>();
        services.AddSingleton<ModelVersionResolver>();
        services.AddSingleton(provider => new ModelPackageCache(provider.GetRequiredService<IArtifactStore>(), options.ModelCacheFolder()));
        services.AddSingleton<EndpointRuntime>();
        services.AddHostedService(provider => provider.GetRequiredService<EndpointRuntime>());
        services.AddSingleton<EndpointLifecycle>();
        services.AddSingleton<EndpointInvoker>();
        return services;
    }

    /// <summary>Where registered packages are copied for loading: beside a local artifact folder, else under the data folder.</summary>
    private static string ModelCacheFolder(this ServerOptions options)
    {
        var artifacts = options.ArtifactsDestination;
        var local = !artifacts.Contains("://", StringComparison.Ordinal);
        var parent = local ? Path.GetDirectoryName(Path.GetFullPath(artifacts)) : null;
        return Path.Combine(parent ?? Path.GetFullPath(ServerOptions.DefaultDataFolder), "model-cache");
    }
}
