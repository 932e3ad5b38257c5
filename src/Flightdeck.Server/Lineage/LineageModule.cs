using Flightdeck.Server.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Lineage;

internal static class LineageModule
{
    public static IServiceCollection AddLineage(this IServiceCollection services, ServerOptions options)
    {
        _ = options;
        services.AddSingleton<DatasetStore>();
        services.AddSingleton<LineageGraph>();
        services.AddSingleton<OpenLineageStore>();
        services.AddHostedService<DatasetSourceUriBackfill>();
        return services;
    }

    /// <summary>Datasets and the lineage graph under /api/flightdeck/v1, and the OpenLineage intake at Marquez's /api/v1/lineage.</summary>
    public static IEndpointRouteBuilder MapLineageApi(this IEndpointRouteBuilder routes)
    {
        routes.MapDatasetsApi();
        routes.MapLineageGraphApi();
        return routes;
    }
}
