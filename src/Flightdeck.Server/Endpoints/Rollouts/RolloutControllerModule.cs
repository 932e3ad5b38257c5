using Flightdeck.Serving;
using Flightdeck.Serving.Rollouts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Flightdeck.Server.Endpoints.Rollouts;

internal static class RolloutControllerModule
{
    /// <summary>The progressive delivery controller and the bake windows it reads (an inference observer).</summary>
    public static IServiceCollection AddRolloutController(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RolloutControllerOptions>();
        services.AddSingleton<RolloutWindows>();
        services.AddSingleton<IInferenceObserver>(provider => provider.GetRequiredService<RolloutWindows>());
        services.AddSingleton<RolloutController>();
        services.AddHostedService(provider => provider.GetRequiredService<RolloutController>());
        return services;
    }
}
