using Flightdeck.Server.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Lineage;

internal static class LineageModule
{
    public static IServiceCollection AddLineage(this IServiceCollection services, ServerOptions options)
    {
        if (options.OpenLineageUrl is { Length: > 0 } url)
        {
            if (!Outbox.OutboxWriter.IsDeliverable(url.Trim()))
            {
                throw new ArgumentException($"The OpenLineage URL '{url}' is not an absolute http or https URL.", nameof(options));
            }

            if (string.IsNullOrWhiteSpace(options.OpenLineageNamespace) || options.OpenLineageNamespace.Length > OpenLineageValidation.MaxNamespaceLength)
            {
                throw new ArgumentException("The OpenLineage namespace must be 1 to 500 characters.", nameof(options));
            }

            services.AddSingleton<Tracking.IRunObserver>(new OpenLineageEmitter(OpenLineageEmitter.Endpoint(url), options.OpenLineageNamespace));
        }

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
