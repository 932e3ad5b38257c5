using Flightdeck.Server.Endpoints;
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
    /// written to the backend store (kept for <see cref="ServerOptions.InferenceLogRetention"/> when set). How much each
    /// endpoint logs comes from an <see cref="InferenceSampleRate"/>: the endpoint's setting, else the server-wide
    /// default (a test or another module may register its own instead).
    /// </summary>
    public static IServiceCollection AddMonitoring(this IServiceCollection services, ServerOptions options)
    {
        services.AddServingTelemetry(new TelemetryOptions { ServiceName = "flightdeck-server", HostMetrics = true });
        services.AddSingleton<IInferenceObserver, InferenceMetrics>();
        var defaultRate = options.InferenceLogSampleRate;
        // An endpoint's own settings.inference_log_sample_rate, as of the runtime's last reconcile (a dictionary read
        // on the request path); the server-wide default for endpoints that set none.
        services.TryAddSingleton<InferenceSampleRate>(provider =>
        {
            var runtime = provider.GetRequiredService<EndpointRuntime>();
            return endpoint => endpoint is not null && runtime.Find(endpoint)?.Endpoint.Settings.InferenceLogSampleRate is { } rate
                ? rate
                : defaultRate;
        });
        services.AddSingleton<DatabaseInferenceLogSink>();
        services.AddSingleton(provider => new InferenceLogOptions { SampleRate = provider.GetRequiredService<InferenceSampleRate>() });
        services.AddSingleton(provider => new InferenceLogger(
            provider.GetRequiredService<DatabaseInferenceLogSink>(), provider.GetRequiredService<InferenceLogOptions>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<InferenceLogger>>()));
        services.AddSingleton<IInferenceObserver>(provider => provider.GetRequiredService<InferenceLogger>());
        services.AddHostedService(provider => provider.GetRequiredService<InferenceLogger>());
        services.AddSingleton<InferenceLogStore>();
        services.AddSingleton<InferenceLogRetention>();
        services.AddHostedService(provider => provider.GetRequiredService<InferenceLogRetention>());
        return services;
    }

    /// <summary><c>GET /metrics</c> and the inference log's read API.</summary>
    public static IEndpointRouteBuilder MapMonitoringApi(this IEndpointRouteBuilder routes)
    {
        routes.MapMetrics();
        return routes.MapInferenceLogApi();
    }
}
