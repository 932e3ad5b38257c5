using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Serving;

/// <summary>Builds the standalone serving process (<c>flightdeck serve</c>): Kestrel on one address, the models of a
/// <see cref="ModelHost"/>, both scoring protocols, Prometheus <c>/metrics</c>, and the inference log when asked. The
/// server of issue #4's endpoints maps the same APIs on its own app.</summary>
public static class ServingApp
{
    public static WebApplication Build(ModelHost host, ServingOptions? options = null, Action<WebApplicationBuilder>? configure = null)
    {
        options ??= new ServingOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
        });
        builder.WebHost.UseUrls($"http://{FormatHost(options.Host)}:{options.Port}");
        builder.Services.AddModelServing(host, options.RequestTimeout);
        builder.Services.AddServingTelemetry(options.Telemetry);
        builder.Services.AddSingleton<IInferenceObserver, InferenceMetrics>();
        if (options.InferenceLogDirectory is { } directory)
        {
            // Made by the container so that it is closed after the logger has written out its queue.
            builder.Services.AddSingleton(_ => new JsonLinesInferenceLogSink(directory, options.InferenceLogMaxFileBytes));
            var rate = options.InferenceLogSampleRate;
            builder.Services.AddInferenceLog(provider => provider.GetRequiredService<JsonLinesInferenceLogSink>(),
                new InferenceLogOptions { SampleRate = _ => rate });
        }
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapModelServing();
        app.MapMetrics();
        return app;
    }

    /// <summary>Registers <paramref name="host"/> for the serving APIs (the caller keeps ownership of it), and the time
    /// limit of a request.</summary>
    public static IServiceCollection AddModelServing(this IServiceCollection services, ModelHost host, TimeSpan? requestTimeout = null)
    {
        services.AddSingleton(host);
        services.TryAddSingleton(provider => new ServingRequests(
            provider.GetServices<IInferenceObserver>(), requestTimeout ?? ServingRequests.DefaultTimeout,
            provider.GetService<ILogger<ServingRequests>>()));
        return services;
    }

    /// <summary>Registers an <see cref="InferenceLogger"/> writing to the sink <paramref name="sink"/> makes: an
    /// <see cref="IInferenceObserver"/>, and a hosted service so the host's shutdown writes out what is queued.</summary>
    public static IServiceCollection AddInferenceLog(this IServiceCollection services, Func<IServiceProvider, IInferenceLogSink> sink,
        InferenceLogOptions options)
    {
        services.AddSingleton(provider => new InferenceLogger(sink(provider), options, provider.GetRequiredService<ILogger<InferenceLogger>>()));
        services.AddSingleton<IInferenceObserver>(provider => provider.GetRequiredService<InferenceLogger>());
        services.AddHostedService(provider => provider.GetRequiredService<InferenceLogger>());
        return services;
    }

    /// <summary>Maps MLflow's scoring protocol and the Open Inference Protocol v2.</summary>
    public static IEndpointRouteBuilder MapModelServing(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapMlflowScoring().MapOpenInference();

    private static string FormatHost(string host) => host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host;
}
