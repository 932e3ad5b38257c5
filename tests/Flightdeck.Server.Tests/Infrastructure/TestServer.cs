using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Tests.Infrastructure;

/// <summary>
/// A real Flightdeck server on a free loopback port, with its own empty store (SQLite file or PostgreSQL database)
/// and artifact folder. Tests talk to it over HTTP, as MLflow clients do.
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
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public string WorkDir { get; }

    public ServerOptions Options { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestServer> StartAsync(string backend = StoreBackend.Sqlite, Func<ServerOptions, ServerOptions>? configure = null,
        Action<IServiceCollection>? services = null)
    {
        var workDir = Directory.CreateTempSubdirectory("flightdeck-test-").FullName;
        var options = new ServerOptions
        {
            Port = 0,
            BackendStoreUri = await StoreBackend.CreateAsync(backend, workDir),
            ArtifactsDestination = Path.Combine(workDir, "artifacts"),
        };
        options = configure?.Invoke(options) ?? options;
        var app = await FlightdeckServer.BuildAsync(options, configureServices: services);
        await app.StartAsync();
        return new TestServer(app, workDir, options);
    }

    /// <summary>POSTs JSON to an MLflow route (path after /api/2.0/mlflow/).</summary>
    public Task<HttpResponseMessage> PostAsync(string route, object body) =>
        Http.PostAsync("api/2.0/mlflow/" + route, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> PostRawAsync(string route, string body) =>
        Http.PostAsync("api/2.0/mlflow/" + route, new StringContent(body, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> GetAsync(string routeAndQuery) => Http.GetAsync("api/2.0/mlflow/" + routeAndQuery);

    /// <summary>POSTs and asserts a 200, returning the parsed body.</summary>
    public async Task<JsonElement> PostOkAsync(string route, object body)
    {
        using var response = await PostAsync(route, body);
        return await ReadOkAsync(response);
    }

    public async Task<JsonElement> GetOkAsync(string routeAndQuery)
    {
        using var response = await GetAsync(routeAndQuery);
        return await ReadOkAsync(response);
    }

    public static async Task<JsonElement> ReadOkAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts an MLflow error answer and returns its message.</summary>
    public static async Task<string> ReadErrorAsync(HttpResponseMessage response, int status, string errorCode)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        var error = JsonSerializer.Deserialize(text, FlightdeckJsonContext.Default.ErrorResponse);
        Assert.NotNull(error);
        Assert.Equal(errorCode, error.ErrorCode);
        return error.Message;
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
