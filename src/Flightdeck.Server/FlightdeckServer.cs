using Flightdeck.Server.Artifacts;
using Flightdeck.Server.Endpoints;
using Flightdeck.Server.Endpoints.Rollouts;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Lineage;
using Flightdeck.Server.Monitoring;
using Flightdeck.Server.Outbox;
using Flightdeck.Server.Registry;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking;
using Flightdeck.Server.Ui;
using Flightdeck.Server.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Server;

/// <summary>The server's table of contents: what runs in a Flightdeck process and in which order.</summary>
public static class FlightdeckServer
{
    public static async Task<WebApplication> BuildAsync(ServerOptions options, string[]? args = null, CancellationToken cancellationToken = default,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // Artifact uploads stream without a cap; JSON endpoints set their own.
        });
        builder.WebHost.UseUrls($"http://{FormatHost(options.Host)}:{options.Port}");
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        builder.Services.AddSingleton(options);
        builder.Services.AddStorage(options);
        builder.Services.AddArtifacts(options);
        builder.Services.AddTracking(options);
        builder.Services.AddRegistry();
        builder.Services.AddLineage(options);
        builder.Services.AddOutbox();
        builder.Services.AddWebhooks();
        builder.Services.AddEndpoints(options);
        builder.Services.AddRolloutController();
        builder.Services.AddMonitoring(options);
        builder.Services.AddUi();
        configureServices?.Invoke(builder.Services); // tests add observers or replace services

        var app = builder.Build();
        if (options.MigrateOnStart)
        {
            await app.Services.GetRequiredService<Migrator>().UpgradeAsync(cancellationToken);
        }

        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.MapHealthApi();
        app.MapTrackingApi();
        app.MapRegistryApi();
        app.MapLineageApi();
        app.MapWebhooksApi();
        app.MapEndpointsApi();
        app.MapArtifactsApi();
        app.MapMonitoringApi();
        app.MapUi();
        app.MapUnknownApiRoutes();
        return app;
    }

    /// <summary>Builds the server, starts it, and prints where it listens.</summary>
    public static async Task RunAsync(ServerOptions options, CancellationToken cancellationToken)
    {
        await using var app = await BuildAsync(options, cancellationToken: cancellationToken);
        await app.RunAsync(cancellationToken);
    }

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
}
