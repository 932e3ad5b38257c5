using Flightdeck.Server.Hosting;
using Flightdeck.Serving;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flightdeck.Server.Monitoring;

internal static class MonitoringModule
{
    /// <summary>
    /// Prometheus metrics (serving, ASP.NET Core, .NET runtime) and traces (exported when OTEL_EXPORTER_OTLP_ENDPOINT is
    /// set), and the inference observers every endpoint inference is reported to: its metrics, and the inference log
    /// written to the backend store. How much each endpoint logs comes from an <see cref="InferenceSampleRate"/>: the
    /// server-wide default unless another one is registered first.
    /// </summary>
    public static IServiceCollection AddMonitoring(this IServiceCollection services, ServerOptions options)
    {
        services.AddServingTelemetry(new TelemetryOptions { ServiceName = "flightdeck-server", HostMetrics = true });
        services.AddSingleton<IInferenceObserver, InferenceMetrics>();
        var defaultRate = options.InferenceLogSampleRate;
        services.TryAddSingleton<InferenceSampleRate>(_ => _ => defaultRate);
        services.AddSingleton<DatabaseInferenceLogSink>();
        services.AddSingleton(provider => new InferenceLogOptions { SampleRate = provider.GetRequiredService<InferenceSampleRate>() });
        services.AddSingleton(provider => new InferenceLogger(
            provider.GetRequiredService<DatabaseInferenceLogSink>(), provider.GetRequiredService<InferenceLogOptions>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<InferenceLogger>>()));
        services.AddSingleton<IInferenceObserver>(provider => provider.GetRequiredService<InferenceLogger>());
        services.AddHostedService(provider => provider.GetRequiredService<InferenceLogger>());
        services.AddSingleton<InferenceLogStore>();
        return services;
    }

    /// <summary><c>GET /metrics</c> and the inference log's read API.</summary>
    public static IEndpointRouteBuilder MapMonitoringApi(this IEndpointRouteBuilder routes)
    {
        routes.MapMetrics();
        return routes.MapInferenceLogApi();
    }
}
