using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Registry;

/// <summary>The registry's PATCH and DELETE calls carry JSON bodies, which TestServer's helpers do not send.</summary>
internal static class RegistryClient
{
    public static Task<HttpResponseMessage> SendAsync(this TestServer server, HttpMethod method, string route, object body, string? user = null)
    {
        var request = new HttpRequestMessage(method, "api/2.0/mlflow/" + route)
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        if (user is not null)
        {
            request.Headers.Add("X-Flightdeck-User", user);
        }

        return server.Http.SendAsync(request);
    }

    public static async Task<JsonElement> SendOkAsync(this TestServer server, HttpMethod method, string route, object body, string? user = null)
    {
        using var response = await server.SendAsync(method, route, body, user);
        return await TestServer.ReadOkAsync(response);
    }

    public static async Task<JsonElement> CreateModelAsync(this TestServer server, string name) =>
        (await server.PostOkAsync("registered-models/create", new { name })).GetProperty("registered_model");

    public static async Task<JsonElement> CreateVersionAsync(this TestServer server, string name, string source = "s3://bucket/model", string? runId = null) =>
        (await server.PostOkAsync("model-versions/create", new { name, source, run_id = runId })).GetProperty("model_version");

    public static async Task<string> CreateRunAsync(this TestServer server) =>
        (await server.PostOkAsync("runs/create", new { experiment_id = "0" })).GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;

    public static async Task<JsonElement> GetFlightdeckAsync(this TestServer server, string routeAndQuery)
    {
        using var response = await server.Http.GetAsync("api/flightdeck/v1/registered-models/" + routeAndQuery);
        return await TestServer.ReadOkAsync(response);
    }

    public static List<string?> Strings(this JsonElement array, string property) =>
        array.EnumerateArray().Select(e => e.GetProperty(property).GetString()).ToList();
}
