using Flightdeck.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Tracking;

internal static class TrackingModule
{
    public static readonly string[] MlflowPrefixes = ["/api/2.0/mlflow", "/ajax-api/2.0/mlflow"];

    public static IServiceCollection AddTracking(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton<ExperimentStore>();
        services.AddSingleton<RunStore>();
        services.AddSingleton<RunLogWriter>();
        services.AddSingleton<DatasetInputWriter>();
        services.AddSingleton<MetricHistoryReader>();
        services.AddSingleton<GarbageCollector>();
        services.AddHostedService<ScheduledGcService>();
        return services;
    }

    /// <summary>MLflow serves every tracking route under /api/2.0/mlflow and again under /ajax-api/2.0/mlflow for its UI.</summary>
    public static IEndpointRouteBuilder MapTrackingApi(this IEndpointRouteBuilder routes)
    {
        foreach (var prefix in MlflowPrefixes)
        {
            var api = routes.MapGroup(prefix).WithTags("Tracking");
            api.MapExperimentsApi();
            api.MapRunsApi();
            api.MapSearchApi();
            api.MapRunArtifactsApi();
        }

        routes.MapGetArtifact();
        routes.MapGcApi();

        return routes;
    }
}
