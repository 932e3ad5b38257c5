using Flightdeck.Server.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Artifacts;

internal static class ArtifactsModule
{
    /// <summary>
    /// Registers the artifact store the destination names: <c>s3://bucket/prefix</c> is S3 (endpoint from
    /// FLIGHTDECK_S3_ENDPOINT_URL or MLFLOW_S3_ENDPOINT_URL, credentials from the AWS SDK's default chain),
    /// anything else a local folder, created if missing.
    /// </summary>
    public static IServiceCollection AddArtifacts(this IServiceCollection services, ServerOptions options)
    {
        // Created now so a bad destination fails at start; the factory hands ownership (disposal) to the container.
        var store = CreateStore(options.ArtifactsDestination);
        services.AddSingleton<IArtifactStore>(_ => store);
        services.AddTransient<IStartupFilter, RawPathGuard>();
        return services;
    }

    public static IArtifactStore CreateStore(string destination) =>
        S3Location.IsS3(destination)
            ? S3ArtifactStore.Create(S3Location.Parse(destination, S3Location.EndpointFromEnvironment()))
            : new LocalArtifactStore(destination);
}
