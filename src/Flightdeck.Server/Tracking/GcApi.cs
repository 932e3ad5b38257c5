using Flightdeck.Contracts;
using Flightdeck.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Server.Tracking;

/// <summary>Flightdeck's own garbage-collection route, called by <c>flightdeck gc</c>.</summary>
internal static class GcApi
{
    public static IEndpointRouteBuilder MapGcApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/flightdeck/v1/gc", async (HttpContext context, GarbageCollector collector) =>
        {
            var request = await RequestBody.ReadAsync(context, FlightdeckJsonContext.Default.GcRequest);
            if (request.OlderThanMs is < 0)
            {
                throw Validation.Invalid("older_than_ms", request.OlderThanMs);
            }

            var result = await collector.CollectAsync(TimeSpan.FromMilliseconds(request.OlderThanMs ?? 0), request.RunIds, request.ExperimentIds,
                context.RequestAborted);
            return TypedResults.Json(result, FlightdeckJsonContext.Default.GcResponse);
        }).WithTags("Maintenance");
        return routes;
    }
}

/// <summary>Runs garbage collection on a schedule when the server is started with a retention (--gc-older-than).</summary>
internal sealed class ScheduledGcService(ServerOptions options, GarbageCollector collector, ILogger<ScheduledGcService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.GcOlderThan is not { } retention)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.GcInterval);
        do
        {
            try
            {
                await collector.CollectAsync(retention, null, null, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A failed pass (e.g. the artifact store briefly unreachable) is retried on the next tick.
                logger.LogWarning(ex, "Scheduled garbage collection failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
