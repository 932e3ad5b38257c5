using System.Text.Json;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Webhooks;

public sealed class WebhooksApiTests
{
    private const string Secret = "whsec-never-shown-42";

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_webhook_is_created_listed_updated_and_deleted_without_its_secret_ever_shown(string backend)
    {
        // Given
        await using var server = await TestServer.StartAsync(backend);
        var bodies = new List<string>();

        async Task<JsonElement> Call(HttpMethod method, string path, object? body = null)
        {
            using var response = await server.SendWebhookAsync(method, path, body is null ? null : JsonSerializer.Serialize(body));
            var text = await response.Content.ReadAsStringAsync();
            bodies.Add(text);
            Assert.True(response.IsSuccessStatusCode, text);
            return JsonDocument.Parse(text).RootElement.Clone();
        }

        // When
        var created = (await Call(HttpMethod.Post, "", new
        {
            name = "deploy-bot",
            url = "https://ci.example.com/hooks/flightdeck?team=ml",
            events = new[] { "model_version.created", "model_version_alias.created" },
            model_name = "churn",
            secret = Secret,
            description = "triggers deployment",
        })).GetProperty("webhook");
        var id = created.GetProperty("webhook_id").GetString()!;
        var fetched = (await Call(HttpMethod.Get, "/" + id)).GetProperty("webhook");
        var listed = (await Call(HttpMethod.Get, "")).GetProperty("webhooks");
        var disabled = (await Call(HttpMethod.Patch, "/" + id, new { status = "DISABLED", name = "deploy-bot-2" })).GetProperty("webhook");
        await Call(HttpMethod.Delete, "/" + id);

        // Then
        Assert.Equal("deploy-bot", created.GetProperty("name").GetString());
        Assert.Equal("ACTIVE", created.GetProperty("status").GetString());
        Assert.True(created.GetProperty("has_secret").GetBoolean());
        Assert.Equal(["model_version.created", "model_version_alias.created"], created.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("churn", fetched.GetProperty("model_name").GetString());
        Assert.Equal(id, Assert.Single(listed.EnumerateArray()).GetProperty("webhook_id").GetString());
        Assert.Equal("DISABLED", disabled.GetProperty("status").GetString());
        Assert.Equal("deploy-bot-2", disabled.GetProperty("name").GetString());
        Assert.Equal("https://ci.example.com/hooks/flightdeck?team=ml", disabled.GetProperty("url").GetString());
        Assert.All(bodies, b => Assert.DoesNotContain(Secret, b, StringComparison.Ordinal));
        Assert.All(bodies, b => Assert.DoesNotContain("\"secret\"", b, StringComparison.Ordinal));
        using var gone = await server.SendWebhookAsync(HttpMethod.Get, "/" + id);
        await TestServer.ReadErrorAsync(gone, 404, "RESOURCE_DOES_NOT_EXIST");
    }

    [Theory]
    [InlineData("""{"name":"h","url":"ftp://example.com/x","events":["model_version.created"]}""", "http or https")]
    [InlineData("""{"name":"h","url":"file:///etc/passwd","events":["model_version.created"]}""", "http or https")]
    [InlineData("""{"name":"h","url":"https://user:pw@example.com/x","events":["model_version.created"]}""", "credentials")]
    [InlineData("""{"name":"h","url":"/relative/hook","events":["model_version.created"]}""", "absolute")]
    [InlineData("""{"name":"h","url":"https://example.com/x#frag","events":["model_version.created"]}""", "fragment")]
    [InlineData("""{"name":"h","events":["model_version.created"]}""", "url")]
    [InlineData("""{"url":"https://example.com/x","events":["model_version.created"]}""", "name")]
    [InlineData("""{"name":"h","url":"https://example.com/x","events":[]}""", "events")]
    [InlineData("""{"name":"h","url":"https://example.com/x"}""", "events")]
    [InlineData("""{"name":"h","url":"https://example.com/x","events":["model_version.exploded"]}""", "Unknown event")]
    [InlineData("""{"name":"h","url":"https://example.com/x","events":"model_version.created"}""", "wrong type")]
    [InlineData("""{"name":"h","url":"https://example.com/x","events":["*"],"secret":"tiny!"}""", "secret")]
    [InlineData("""{"name":"h","url":"https://example.com/x","events":["*"],"status":"PAUSED"}""", "status")]
    [InlineData("""{"name":"h","url":"https://example.com/x","events":["*"],"model_name":"" }""", null)]
    [InlineData("""{"name":"h","url":""", "Malformed")]
    public async Task Bad_webhook_input_is_refused_with_400(string body, string? messagePart)
    {
        await using var server = await TestServer.StartAsync();

        using var response = await server.SendWebhookAsync(HttpMethod.Post, "", body);

        if (messagePart is null)
        {
            // An empty model_name means "every model", not an error.
            await TestServer.ReadOkAsync(response);
            return;
        }

        var message = await TestServer.ReadErrorAsync(response, 400, "INVALID_PARAMETER_VALUE");
        Assert.Contains(messagePart, message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("tiny!", message, StringComparison.Ordinal); // a refused secret is not echoed either
    }

    [Fact]
    public async Task Updates_unknown_ids_and_bad_page_tokens_are_refused_clearly()
    {
        await using var server = await TestServer.StartAsync();
        var id = await server.CreateWebhookAsync("https://example.com/hook", ["*"]);

        using (var badUrl = await server.SendWebhookAsync(HttpMethod.Patch, "/" + id, """{"url":"gopher://example.com"}"""))
        {
            await TestServer.ReadErrorAsync(badUrl, 400, "INVALID_PARAMETER_VALUE");
        }

        using (var badToken = await server.SendWebhookAsync(HttpMethod.Get, $"/{id}/deliveries?page_token=abc"))
        {
            await TestServer.ReadErrorAsync(badToken, 400, "INVALID_PARAMETER_VALUE");
        }

        using (var unknown = await server.SendWebhookAsync(HttpMethod.Patch, "/0123456789abcdef0123456789abcdef", """{"status":"DISABLED"}"""))
        {
            await TestServer.ReadErrorAsync(unknown, 404, "RESOURCE_DOES_NOT_EXIST");
        }

        using (var malformedId = await server.SendWebhookAsync(HttpMethod.Delete, "/not-an-id"))
        {
            await TestServer.ReadErrorAsync(malformedId, 404, "RESOURCE_DOES_NOT_EXIST");
        }

        var unchanged = (await server.WebhookOkAsync(HttpMethod.Get, "/" + id)).GetProperty("webhook");
        Assert.Equal("https://example.com/hook", unchanged.GetProperty("url").GetString());
    }

    [Fact]
    public async Task A_test_delivery_is_signed_and_reports_the_receivers_answer()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync();
        var id = await server.CreateWebhookAsync(receiver.Url(), ["model_version_alias.created"], Secret, modelName: "churn");

        var ok = await server.WebhookOkAsync(HttpMethod.Post, $"/{id}/test");
        receiver.Status = 500;
        var refused = await server.WebhookOkAsync(HttpMethod.Post, $"/{id}/test", new { @event = "model_version.created" });
        await receiver.StopAsync();
        var unreachable = await server.WebhookOkAsync(HttpMethod.Post, $"/{id}/test");

        Assert.True(ok.GetProperty("success").GetBoolean());
        Assert.Equal(200, ok.GetProperty("response_status").GetInt32());
        Assert.Equal("ok", ok.GetProperty("response_body").GetString());
        Assert.False(refused.GetProperty("success").GetBoolean());
        Assert.Equal(500, refused.GetProperty("response_status").GetInt32());
        Assert.False(unreachable.GetProperty("success").GetBoolean());
        Assert.False(unreachable.TryGetProperty("response_status", out _));
        Assert.False(string.IsNullOrEmpty(unreachable.GetProperty("error_message").GetString()));
        var first = receiver.Received[0];
        WebhookTestClient.AssertSigned(first, Secret);
        var payload = first.Json();
        Assert.True(payload.GetProperty("test").GetBoolean());
        Assert.Equal("model_version_alias.created", payload.GetProperty("event").GetString());
        Assert.Equal("churn", payload.GetProperty("data").GetProperty("name").GetString());
        Assert.Equal("model_version.created", receiver.Received[1].Json().GetProperty("event").GetString());
        Assert.Empty(await server.DeliveriesAsync(id));
    }
}
