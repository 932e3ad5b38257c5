namespace Flightdeck.Server.Outbox;

internal static class OutboxModule
{
    /// <summary>The outbox's dispatcher; features enqueue through <see cref="OutboxWriter"/> and may add an <see cref="IOutboxRequestPreparer"/>.</summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services)
    {
        services.AddSingleton<OutboxQueue>();
        services.AddSingleton<OutboxSender>();
        services.AddHostedService<OutboxDispatcher>();
        return services;
    }
}
