using Flightdeck.Contracts;
using Flightdeck.Serving;

namespace Flightdeck.Server.Endpoints;

/// <summary>One route of an endpoint as invocations see it: the route and the loaded model behind it (null while that
/// version is not loaded in this process, e.g. its package failed to load).</summary>
internal sealed record RoutedVersion(EndpointRoute Route, ServedModel? Model)
{
    public string ModelName => Route.ModelName;

    public string Version => Route.Version;

    public string Role => Route.Role;
}

/// <summary>
/// An endpoint's routing as of the runtime's last reconcile, immutable, so a request reads it without a lock or a
/// database call. <see cref="Serving"/> holds the LIVE and CANDIDATE routes with traffic in a fixed order (LIVE first,
/// then by model and version), which is what keeps a routing key's bucket on the same version while weights stay.
/// </summary>
internal sealed class RoutedEndpoint
{
    public RoutedEndpoint(ServingEndpoint endpoint, IReadOnlyList<RoutedVersion> routes)
    {
        Endpoint = endpoint;
        Routes = routes;
        Serving = [.. routes
            .Where(r => r.Role is RouteRole.Live or RouteRole.Candidate && r.Route.Weight > 0)
            .OrderBy(r => r.Role == RouteRole.Live ? 0 : 1)
            .ThenBy(r => r.ModelName, StringComparer.Ordinal)
            .ThenBy(r => r.Version.Length)
            .ThenBy(r => r.Version, StringComparer.Ordinal)];
        Shadows = [.. routes.Where(r => r.Role == RouteRole.Shadow && r.Route.Weight > 0)];
        var timeout = endpoint.Settings.RequestTimeoutMs;
        Timeout = timeout is > 0 ? TimeSpan.FromMilliseconds(timeout.Value) : null;
    }

    public ServingEndpoint Endpoint { get; }

    public string Name => Endpoint.Name;

    public IReadOnlyList<RoutedVersion> Routes { get; }

    public IReadOnlyList<RoutedVersion> Serving { get; }

    public IReadOnlyList<RoutedVersion> Shadows { get; }

    public TimeSpan? Timeout { get; }
}
