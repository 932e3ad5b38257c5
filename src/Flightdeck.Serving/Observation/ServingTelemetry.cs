using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Flightdeck.Serving;

/// <summary>What a process publishes through OpenTelemetry besides the serving meter.</summary>
public sealed record TelemetryOptions
{
    /// <summary>The <c>service.name</c> resource of exported traces.</summary>
    public string ServiceName { get; init; } = "flightdeck-serve";

    /// <summary>Also publish ASP.NET Core's HTTP server metrics and the .NET runtime's (GC, thread pool, …).</summary>
    public bool HostMetrics { get; init; }

    /// <summary>Adds trace exporters (tests add an in-memory one). Tracing runs only when this is set or
    /// OTEL_EXPORTER_OTLP_ENDPOINT names a collector, so by default no span is even created.</summary>
    public Action<TracerProviderBuilder>? ConfigureTracing { get; init; }
}

/// <summary>
/// Metrics and traces of serving, through OpenTelemetry: the <c>Flightdeck.Serving</c> meter scraped as Prometheus text
/// on <c>GET /metrics</c>, and the <c>Flightdeck.Serving</c> activity source (an <c>infer</c> span per request, a
/// <c>batch</c> span per predict call linking the requests it merged) with ASP.NET Core's request spans, exported by
/// OTLP when the standard OTEL_EXPORTER_OTLP_* variables name a collector.
/// </summary>
public static class ServingTelemetry
{
    public const string SourceName = "Flightdeck.Serving";

    public const string MetricsPath = "/metrics";

    internal static readonly ActivitySource Source = new(SourceName);

    public static IServiceCollection AddServingTelemetry(this IServiceCollection services, TelemetryOptions? options = null)
    {
        options ??= new TelemetryOptions();
        var otlp = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ServingMetrics.MeterName);
                if (options.HostMetrics)
                    metrics.AddAspNetCoreInstrumentation().AddRuntimeInstrumentation();
                metrics.AddPrometheusExporter();
            });
        if (otlp || options.ConfigureTracing is not null)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(SourceName)
                    .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = context => !context.Request.Path.Equals(MetricsPath));
                if (otlp)
                    tracing.AddOtlpExporter();
                options.ConfigureTracing?.Invoke(tracing);
            });
        }
        return services;
    }

    /// <summary>Maps <c>GET /metrics</c> (Prometheus text format) for the meter provider of <see cref="AddServingTelemetry"/>.</summary>
    public static IEndpointConventionBuilder MapMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath);
}
