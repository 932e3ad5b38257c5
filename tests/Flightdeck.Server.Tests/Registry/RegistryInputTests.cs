using System.Net.Http.Headers;
using System.Text;
using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Registry;

public sealed class RegistryInputTests
{
    [Fact]
    public async Task The_actor_comes_from_basic_credentials_and_DELETE_accepts_the_query_string()
    {
        await using var server = await TestServer.StartAsync();
        await server.CreateModelAsync("m");
        await server.CreateVersionAsync("m");

        using (var request = new HttpRequestMessage(HttpMethod.Delete, "api/2.0/mlflow/model-versions/delete?name=m&version=1"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("erin:secret")));
            using var response = await server.Http.SendAsync(request);
            await TestServer.ReadOkAsync(response);
        }

        var events = (await server.GetFlightdeckAsync("history?name=m")).GetProperty("events");
        var deleted = events[events.GetArrayLength() - 1];
        Assert.Equal(RegistryEventType.VersionDeleted, deleted.GetProperty("event_type").GetString());
        Assert.Equal("erin", deleted.GetProperty("actor").GetString());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Malformed_registry_input_is_a_4xx_never_a_500(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await server.CreateModelAsync("m");
        var longName = new string('n', 300);

        var gets = new[]
        {
            "registered-models/get", $"registered-models/get?name={longName}", "model-versions/get?name=m&version=99999999999",
            "model-versions/get?name=m&version=-1", "model-versions/get?name=m&version=1", "registered-models/alias?name=m",
            $"registered-models/alias?name=m&alias={new string('a', 400)}", "registered-models/get-latest-versions?name=m&stages=Nope",
            "model-versions/search?filter=" + Uri.EscapeDataString("name = 'm' OR name = 'x'"), "model-versions/search?order_by=" + Uri.EscapeDataString("tags.x ASC"),
            "model-versions/get-download-uri?name=m", "registered-models/get?name=%00",
        };
        foreach (var route in gets)
        {
            using var response = await server.GetAsync(route);
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{route}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var posts = new (string Route, string Body)[]
        {
            ("registered-models/create", $"{{\"name\": \"{longName}\"}}"),
            ("registered-models/create", "{\"name\": \"x\", \"tags\": [null]}"),
            ("registered-models/create", "{\"name\": \"x\", \"description\": \"" + new string('d', 6000) + "\"}"),
            ("model-versions/create", "{\"name\": \"m\", \"source\": \"s3://b/m\", \"tags\": [{\"key\": \"k\"}]}"),
            ("model-versions/create", "{\"name\": \"m\", \"source\": \"s3://b/" + new string('s', 2100) + "\"}"),
            ("model-versions/create", "{\"name\": \"m\", \"source\": \"s3://b/m\", \"run_id\": \"no such run!\"}"),
            ("model-versions/transition-stage", "{\"name\": \"m\", \"version\": \"1\", \"stage\": \"Staging\"}"),
            ("registered-models/alias", "{\"name\": \"m\", \"alias\": \"a\", \"version\": 1}"),
            ("registered-models/rename", "[1, 2]"),
        };
        foreach (var (route, body) in posts)
        {
            using var response = await server.PostRawAsync(route, body);
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{route} {body[..Math.Min(80, body.Length)]}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        // Nothing above changed the model.
        var model = (await server.GetOkAsync("registered-models/get?name=m")).GetProperty("registered_model");
        Assert.Equal(0, model.GetProperty("latest_versions").GetArrayLength());
        Assert.Equal(1, (await server.GetFlightdeckAsync("history?name=m")).GetProperty("events").GetArrayLength());
    }
}
