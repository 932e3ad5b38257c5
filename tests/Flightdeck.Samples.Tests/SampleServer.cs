using Flightdeck.Server;
using Flightdeck.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Samples.Tests;

/// <summary>A real Flightdeck server in this process, on a free loopback port, with an empty SQLite store and artifact folder.</summary>
public sealed class SampleServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly bool _ownsWorkDir;

    private SampleServer(WebApplication app, string workDir, bool ownsWorkDir)
    {
        _app = app;
        WorkDir = workDir;
        _ownsWorkDir = ownsWorkDir;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
    }

    public Uri BaseAddress { get; }

    public string WorkDir { get; }

    /// <summary>Starts a server on <paramref name="existingDataDir"/> (flightdeck.db and artifacts/ inside), or on a new temp folder.</summary>
    public static async Task<SampleServer> StartAsync(string? existingDataDir = null)
    {
        var workDir = existingDataDir ?? Directory.CreateTempSubdirectory("flightdeck-sample-e2e-").FullName;
        var options = new ServerOptions
        {
            Port = 0,
            BackendStoreUri = "sqlite:///" + Path.Combine(workDir, "flightdeck.db").TrimStart('/'),
            ArtifactsDestination = Path.Combine(workDir, "artifacts"),
        };
        var app = await FlightdeckServer.BuildAsync(options);
        await app.StartAsync();
        return new SampleServer(app, workDir, ownsWorkDir: existingDataDir is null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (!_ownsWorkDir)
        {
            return;
        }

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
