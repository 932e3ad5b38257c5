using Flightdeck.Server.Outbox;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Webhooks;

internal static class WebhooksModule
{
    /// <summary>Registry webhooks; their deliveries go through the outbox (<see cref="OutboxModule.AddOutbox"/>).</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<IOutboxRequestPreparer, WebhookSigner>();
        return services;
    }
}
