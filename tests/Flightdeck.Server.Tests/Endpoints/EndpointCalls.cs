using System.Text;
using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Endpoints;

/// <summary>Calls of /api/flightdeck/v1/endpoints for the tests.</summary>
internal static class EndpointCalls
{
    public const string Prefix = "api/flightdeck/v1/endpoints";

    public static async Task<HttpResponseMessage> SendAsync(this TestServer server, HttpMethod method, string path, object? body = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, Prefix + path);
        if (body is not null)
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            request.Headers.Add(name, value);
        return await server.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public static async Task<JsonElement> OkAsync(this TestServer server, HttpMethod method, string path, object? body = null)
    {
        using var response = await server.SendAsync(method, path, body);
        return await TestServer.ReadOkAsync(response);
    }

    /// <summary>Creates an endpoint serving version 1 of <paramref name="model"/> and returns it.</summary>
    public static async Task<JsonElement> CreateEndpointAsync(this TestServer server, string name, string model, string version = "1",
        object? settings = null) =>
        (await server.OkAsync(HttpMethod.Post, "", new { name, model_name = model, version, settings })).GetProperty("endpoint");

    public static async Task<JsonElement> DeployAsync(this TestServer server, string name, object request) =>
        (await server.OkAsync(HttpMethod.Post, $"/{name}/deploy", request)).GetProperty("endpoint");

    public static async Task<HttpResponseMessage> InvokeAsync(this TestServer server, string name, string? body = null,
        IReadOnlyDictionary<string, string>? headers = null) =>
        await server.SendAsync(HttpMethod.Post, $"/{name}/invocations", body ?? EndpointModel.Body(), headers);

    /// <summary>Invokes and asserts a 200, returning the version that served.</summary>
    public static async Task<string> ServedVersionAsync(this TestServer server, string name, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var response = await server.InvokeAsync(name, headers: headers);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return response.Headers.GetValues(EndpointHeaders.ServedVersion).Single();
    }

    /// <summary>The routes as "model/version:role:weight", in order.</summary>
    public static List<string> Routes(this JsonElement endpoint) =>
        [.. endpoint.GetProperty("routes").EnumerateArray().Select(r =>
            $"{r.GetProperty("model_name").GetString()}/{r.GetProperty("version").GetString()}:{r.GetProperty("role").GetString()}:{r.GetProperty("weight").GetInt32()}")];
}
