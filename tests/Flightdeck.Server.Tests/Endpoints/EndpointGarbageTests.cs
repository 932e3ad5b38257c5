using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Endpoints;

public sealed class EndpointGarbageTests
{
    private static readonly string[] Bodies =
    [
        "", "null", "[]", "[null]", "42", "\"text\"", "{", "{\"name\": 1}", "{\"name\": null, \"model_name\": []}",
        "{\"routes\": [null]}", "{\"routes\": {}}", "{\"routes\": [{\"weight\": \"x\"}]}", "{\"routes\": [{}]}",
        "{\"routes\": [{\"model_name\": \"clf\", \"version\": \"1\", \"weight\": 100, \"role\": null}]}",
        "{\"settings\": {\"max_batch_size\": 99999999999}}", "{\"settings\": {\"max_batch_delay_ms\": 1e308}}", "{\"settings\": []}",
        "{\"steps\": [null]}", "{\"steps\": \"10\"}", "{\"version\": 2}", "{\"version\": \"2\", \"strategy\": 5}",
        "{\"version\": \"2\", \"guardrails\": {\"min_requests\": -5}}", "{\"reason\": {}}", "{\"description\": [\"a\"]}",
        "{\"dataframe_split\": {\"columns\": [\"X\"], \"data\": [[\"a\"]]}}", "{\"inputs\": [{\"name\": \"X\"}]}",
    ];

    private static readonly (HttpMethod Method, string Path)[] Routes =
    [
        (HttpMethod.Post, ""), (HttpMethod.Patch, "/ep"), (HttpMethod.Post, "/ep/deploy"), (HttpMethod.Post, "/ep/promote"),
        (HttpMethod.Post, "/ep/rollback"), (HttpMethod.Post, "/ep/invocations"), (HttpMethod.Post, "/ep/infer"),
        (HttpMethod.Patch, "/%00"), (HttpMethod.Post, "/..%2F/deploy"), (HttpMethod.Get, "/ep/history?max_results=-1"),
        (HttpMethod.Get, "/ep/history?page_token=%FF"), (HttpMethod.Delete, "/" + new string('x', 300)),
    ];

    [Fact]
    public async Task Garbage_on_every_route_is_a_4xx_and_leaves_the_endpoint_serving()
    {
        await using var server = await TestServer.StartAsync();
        await EndpointModel.RegisterAsync(server, "clf");
        await server.CreateEndpointAsync("ep", "clf");

        var serverErrors = new List<string>();
        foreach (var (method, path) in Routes)
        {
            foreach (var body in Bodies)
            {
                using var response = await server.SendAsync(method, path, body.Length == 0 ? null : body);
                if ((int)response.StatusCode >= 500)
                    serverErrors.Add($"{method} {path} {body}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
            }
        }

        Assert.Empty(serverErrors);
        Assert.Equal("1", await server.ServedVersionAsync("ep"));
    }
}
