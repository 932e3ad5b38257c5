using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Serving.Tests.Infrastructure;

/// <summary>A real serving process on a free loopback port around a <see cref="ModelHost"/> the test fills.</summary>
public sealed class ServingServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServingServer(ModelHost host, WebApplication app)
    {
        Host = host;
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Http = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/") };
    }

    public ModelHost Host { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public static Task<ServingServer> StartAsync(ModelHost host, long maxBodyBytes = 1024 * 1024) =>
        StartAsync(host, new ServingOptions { MaxRequestBodyBytes = maxBodyBytes });

    /// <summary>Starts with <paramref name="options"/> (on a free port whatever they say) and lets the test add services.</summary>
    public static async Task<ServingServer> StartAsync(ModelHost host, ServingOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var app = ServingApp.Build(host, options with { Port = 0 }, configure);
        await app.StartAsync();
        return new ServingServer(host, app);
    }

    /// <summary>Stops the host (its hosted services flush) without disposing it yet.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Host.DisposeAsync();
    }
}
