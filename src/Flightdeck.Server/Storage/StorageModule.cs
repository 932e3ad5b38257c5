using Flightdeck.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Storage;

internal static class StorageModule
{
    public static IServiceCollection AddStorage(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton(_ => new Database(BackendStoreUri.Parse(options.BackendStoreUri)));
        services.AddSingleton<Migrator>();
        services.AddHostedService<SqliteCheckpointer>();
        return services;
    }
}
