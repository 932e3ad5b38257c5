using Flightdeck.Server.Tests.Infrastructure;
using System.Text.Json;
using Flightdeck.Server;
using Flightdeck.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Compat.Tests.Infrastructure;

/// <summary>
/// A real Flightdeck server on a free loopback port with its own empty store and artifact folder;
/// the foreign clients under test reach it over HTTP, and the tests read its state back the same way.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, string workDir)
    {
        _app = app;
        WorkDir = workDir;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public Uri BaseAddress { get; }

    /// <summary>The tracking URL as a client is given it: no trailing slash.</summary>
    public string TrackingUrl => BaseAddress.ToString().TrimEnd('/');

    public HttpClient Http { get; }

    public string WorkDir { get; }

    public static async Task<TestServer> StartAsync(string backend)
    {
        var workDir = Directory.CreateTempSubdirectory("flightdeck-compat-").FullName;
        var options = new ServerOptions
        {
            Port = 0,
            BackendStoreUri = await StoreBackend.CreateAsync(backend, workDir),
            ArtifactsDestination = Path.Combine(workDir, "artifacts"),
        };
        var app = await FlightdeckServer.BuildAsync(options);
        await app.StartAsync();
        return new TestServer(app, workDir);
    }

    /// <summary>GETs an MLflow route (path after /api/2.0/mlflow/), asserts a 200 and returns the parsed body.</summary>
    public async Task<JsonElement> GetOkAsync(string routeAndQuery)
    {
        using var response = await Http.GetAsync("api/2.0/mlflow/" + routeAndQuery);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {routeAndQuery}: {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>POSTs JSON to an MLflow route, asserts a 200 and returns the parsed body.</summary>
    public async Task<JsonElement> PostOkAsync(string route, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync("api/2.0/mlflow/" + route, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {route}: {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
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
