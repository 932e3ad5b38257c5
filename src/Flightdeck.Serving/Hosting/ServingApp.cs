using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Serving;

/// <summary>Builds the standalone serving process (<c>flightdeck serve</c>): Kestrel on one address, the models of a
/// <see cref="ModelHost"/>, and both scoring protocols. The server of issue #4's endpoints maps the same APIs on its own app.</summary>
public static class ServingApp
{
    public static WebApplication Build(ModelHost host, ServingOptions? options = null)
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
        builder.Services.AddModelServing(host);
        var app = builder.Build();
        app.MapModelServing();
        return app;
    }

    /// <summary>Registers <paramref name="host"/> for the serving APIs (the caller keeps ownership of it).</summary>
    public static IServiceCollection AddModelServing(this IServiceCollection services, ModelHost host) => services.AddSingleton(host);

    /// <summary>Maps MLflow's scoring protocol and the Open Inference Protocol v2.</summary>
    public static IEndpointRouteBuilder MapModelServing(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapMlflowScoring().MapOpenInference();

    private static string FormatHost(string host) => host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host;
}
