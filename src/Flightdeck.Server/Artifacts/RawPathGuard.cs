using Flightdeck.Contracts;
using Flightdeck.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Flightdeck.Server.Artifacts;

/// <summary>
/// Kestrel decodes the request path and removes dot segments before routing, so <c>.../artifacts/../x</c> would reach
/// another route, or the artifacts route already "cleaned". This filter runs first in the pipeline and answers 400
/// "Invalid path" to any artifacts request whose path, as sent, has a dot, empty or encoded-separator segment.
/// </summary>
internal sealed class RawPathGuard : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            var rawPath = RawPathOf(context);
            if (IsArtifactsRequest(context.Request.Path, rawPath) && !ArtifactPath.IsSafeRawUrlPath(rawPath))
            {
                await ErrorHandlingMiddleware.WriteAsync(context, StatusCodes.Status400BadRequest,
                    ErrorCode.InvalidParameterValue, ArtifactPath.InvalidMessage);
                return;
            }

            await nextMiddleware(context);
        });
        next(app);
    };

    private static bool IsArtifactsRequest(PathString decodedPath, string rawPath) =>
        ArtifactsApi.Prefixes.Any(prefix =>
            decodedPath.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase)
            || rawPath.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>The path of the request target as sent (origin form, or the path of an absolute-form target), without the query.</summary>
    private static string RawPathOf(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var schemeEnd = target.IndexOf("://", StringComparison.Ordinal);
        if (!target.StartsWith('/') && schemeEnd > 0)
        {
            var pathStart = target.IndexOf('/', schemeEnd + 3);
            target = pathStart < 0 ? "/" : target[pathStart..];
        }

        var queryStart = target.IndexOfAny(['?', '#']);
        return queryStart < 0 ? target : target[..queryStart];
    }
}
