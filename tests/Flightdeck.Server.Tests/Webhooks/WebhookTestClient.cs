using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Webhooks;

/// <summary>Calls to the webhooks API, and the receiver-side signature check a webhook consumer would run.</summary>
internal static class WebhookTestClient
{
    public const string Route = "api/flightdeck/v1/webhooks";

    public static Task<HttpResponseMessage> SendWebhookAsync(this TestServer server, HttpMethod method, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, Route + path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return server.Http.SendAsync(request);
    }

    public static async Task<JsonElement> WebhookOkAsync(this TestServer server, HttpMethod method, string path, object? body = null)
    {
        using var response = await server.SendWebhookAsync(method, path, body is null ? null : JsonSerializer.Serialize(body));
        return await TestServer.ReadOkAsync(response);
    }

    public static async Task<string> CreateWebhookAsync(this TestServer server, string url, string[] events, string? secret = null, string? modelName = null)
    {
        var created = await server.WebhookOkAsync(HttpMethod.Post, "", new { name = "hook", url, events, secret, model_name = modelName });
        return created.GetProperty("webhook").GetProperty("webhook_id").GetString()!;
    }

    public static async Task<List<JsonElement>> DeliveriesAsync(this TestServer server, string webhookId) =>
        (await server.WebhookOkAsync(HttpMethod.Get, $"/{webhookId}/deliveries")).GetProperty("deliveries").EnumerateArray().ToList();

    /// <summary>What a receiver checks: the v1 HMAC over delivery id, timestamp and body, and a fresh timestamp.</summary>
    public static void AssertSigned(WebhookReceiver.Delivery delivery, string secret)
    {
        var id = delivery.Headers["X-Flightdeck-Delivery"];
        var timestamp = delivery.Headers["X-Flightdeck-Timestamp"];
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{id}.{timestamp}.{delivery.Body}")));
        Assert.Equal(expected, delivery.Headers["X-Flightdeck-Signature"]);
        Assert.InRange(long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
    }

    public static JsonElement Json(this WebhookReceiver.Delivery delivery) => JsonDocument.Parse(delivery.Body).RootElement.Clone();

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(25);
        }
    }
}
