using Flightdeck.Contracts;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Ui;

/// <summary>
/// The web UI: a single-page app served at / (every GET that is no API route gets index.html, so deep links such as
/// /experiments/1 load the app, which routes in the browser), its bundle under /assets/, and the chart endpoints it uses.
/// </summary>
internal static class UiModule
{
    /// <summary>Everything the app loads comes from this server: no CDN, no inline script.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>
    /// The UI's own services: the in-memory live traffic counts behind the endpoint page's charts, and the cache of
    /// downsampled metric series behind the run page's.
    /// </summary>
    public static IServiceCollection AddUi(this IServiceCollection services)
    {
        EndpointTrafficRecorder.Register(services);
        services.AddSingleton<DownsampledSeriesCache>(_ => new DownsampledSeriesCache());
        services.AddSingleton<MetricBlockSummarizer>().AddHostedService(s => s.GetRequiredService<MetricBlockSummarizer>());
        return services;
    }

    public static IEndpointRouteBuilder MapUi(this IEndpointRouteBuilder routes)
    {
        var assets = UiAssets.Load(typeof(UiModule).Assembly);
        routes.MapDownsampledMetricsApi(new DownsampledSeriesSource(
            new MetricSeriesReader(routes.ServiceProvider.GetRequiredService<Database>()),
            routes.ServiceProvider.GetRequiredService<DownsampledSeriesCache>(), routes.ServiceProvider.GetRequiredService<MetricBlockSummarizer>()));
        routes.MapEndpointTrafficApi(routes.ServiceProvider.GetRequiredService<EndpointTrafficRecorder>());
        routes.MapMethods("/assets/{name}", [HttpMethods.Get, HttpMethods.Head], (HttpContext context, string name) =>
            assets.Find(name) is { } asset && name != "index.html"
                ? ServeAsync(context, asset)
                : ErrorHandlingMiddleware.WriteAsync(context, 404, ErrorCode.ResourceDoesNotExist, $"No UI asset {name}."));
        routes.MapFallback("{**path}", (HttpContext context) =>
        {
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                return ErrorHandlingMiddleware.WriteAsync(context, 404, ErrorCode.EndpointNotFound,
                    $"No endpoint {context.Request.Method} {context.Request.Path}.");
            }

            return assets.Index is { } index
                ? ServeAsync(context, index)
                : WriteNotBuiltAsync(context);
        });
        return routes;
    }

    private static async Task ServeAsync(HttpContext context, UiAsset asset)
    {
        var response = context.Response;
        response.Headers.ETag = asset.ETag;
        // Revalidated on every load (a 304 when unchanged), so a new server version never meets a stale bundle.
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.Vary = "Accept-Encoding";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        var gzip = context.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        var body = gzip ? asset.Gzipped : asset.Content;
        response.ContentType = asset.ContentType;
        response.ContentLength = body.Length;
        if (gzip)
        {
            response.Headers.ContentEncoding = "gzip";
        }

        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private static Task WriteNotBuiltAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("This Flightdeck server was built without its web UI (FlightdeckSkipUi); the REST API is available.");
    }
}
