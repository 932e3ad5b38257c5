using Flightdeck.Client;
using Flightdeck.Server;
using Flightdeck.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.MlNet.Tests.Infrastructure;

/// <summary>
/// A real Flightdeck server on a free loopback port with its own empty SQLite store and artifact folder, started in-process
/// (the pattern of tests/Flightdeck.Server.Tests/Infrastructure/TestServer.cs). The SDK and the CLI talk to it over HTTP.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, string workDir, ServerOptions options)
    {
        _app = app;
        WorkDir = workDir;
        Options = options;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
    }

    public Uri BaseAddress { get; }

    public string WorkDir { get; }

    public ServerOptions Options { get; }

    public static async Task<TestServer> StartAsync(Func<ServerOptions, ServerOptions>? configure = null)
    {
        var workDir = Directory.CreateTempSubdirectory("flightdeck-mlnet-test-").FullName;
        var options = new ServerOptions
        {
            Port = 0,
            BackendStoreUri = "sqlite:///" + Path.Combine(workDir, "flightdeck.db").TrimStart('/'),
            ArtifactsDestination = Path.Combine(workDir, "artifacts"),
        };
        options = configure?.Invoke(options) ?? options;
        var app = await FlightdeckServer.BuildAsync(options);
        await app.StartAsync();
        return new TestServer(app, workDir, options);
    }

    public FlightdeckClient CreateClient() => new(BaseAddress);

    /// <summary>A fresh local folder under the server's work folder, for files a test uploads or downloads.</summary>
    public string CreateLocalFolder(string name) => Directory.CreateDirectory(Path.Combine(WorkDir, "local", name)).FullName;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a finishing request; the temp folder is reclaimed by the OS.
        }
    }
}
