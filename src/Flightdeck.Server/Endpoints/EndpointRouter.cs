using System.Text;
using Flightdeck.Contracts;
using Flightdeck.Serving;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Endpoints;

/// <summary>Chooses the route that answers a request: a pinned version, else the bucket (0–99) of a routing key or of a
/// random draw, walked through the serving routes' cumulative weights.</summary>
internal static class EndpointRouter
{
    public static RoutedVersion Choose(RoutedEndpoint endpoint, string? pinnedVersion, string? routingKey)
    {
        if (!string.IsNullOrEmpty(pinnedVersion))
        {
            return endpoint.Routes.FirstOrDefault(r => r.Version == pinnedVersion)
                ?? throw ServingRequestException.BadRequest(
                    $"Endpoint '{endpoint.Name}' has no route to version '{Validation.Shorten(pinnedVersion)}' (header {EndpointHeaders.PinVersion}); "
                    + $"its versions are {string.Join(", ", endpoint.Routes.Select(r => r.Version))}.");
        }

        if (endpoint.Serving.Count == 0)
            throw new ServingRequestException(503, $"Endpoint '{endpoint.Name}' has no route with traffic.");
        var bucket = string.IsNullOrEmpty(routingKey) ? Random.Shared.Next(100) : Bucket(routingKey);
        return Pick(endpoint.Serving, bucket);
    }

    /// <summary>The route whose share of 0–99 holds <paramref name="bucket"/>.</summary>
    public static RoutedVersion Pick(IReadOnlyList<RoutedVersion> serving, int bucket)
    {
        var cumulative = 0;
        foreach (var route in serving)
        {
            cumulative += route.Route.Weight;
            if (bucket < cumulative)
                return route;
        }

        return serving[^1];
    }

    /// <summary>A stable bucket for a key (FNV-1a of its UTF-8 bytes): the same in every process and every run.</summary>
    public static int Bucket(string key)
    {
        const uint Offset = 2166136261;
        const uint Prime = 16777619;
        var hash = Offset;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            hash ^= b;
            hash *= Prime;
        }

        return (int)(hash % 100);
    }
}
