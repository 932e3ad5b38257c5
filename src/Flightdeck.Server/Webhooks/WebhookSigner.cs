using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Flightdeck.Server.Outbox;
using Flightdeck.Server.Storage;

namespace Flightdeck.Server.Webhooks;

/// <summary>
/// Signs each webhook delivery attempt: HMAC-SHA256, keyed with the webhook's secret (UTF-8), over
/// <c>{delivery id}.{timestamp}.{body}</c>, sent as <c>X-Flightdeck-Signature: v1,{base64}</c> beside
/// <c>X-Flightdeck-Delivery</c> (the same on every retry, for de-duplication) and <c>X-Flightdeck-Timestamp</c>
/// (Unix seconds of this attempt, against replays). This is the Standard Webhooks scheme with Flightdeck's header names.
/// </summary>
internal sealed class WebhookSigner(Database database) : IOutboxRequestPreparer
{
    public const string Kind = "webhook";
    public const string SignatureHeader = "X-Flightdeck-Signature";
    public const string DeliveryHeader = "X-Flightdeck-Delivery";
    public const string TimestampHeader = "X-Flightdeck-Timestamp";
    public const string EventHeader = "X-Flightdeck-Event";
    public const string WebhookHeader = "X-Flightdeck-Webhook";

    private sealed class SecretRow
    {
        public string? secret { get; set; }
    }

    string IOutboxRequestPreparer.Kind => Kind;

    public async Task<bool> PrepareAsync(ClaimedMessage message, HttpRequestMessage request, CancellationToken ct)
    {
        SecretRow? webhook;
        await using (var connection = await database.OpenAsync(ct))
        {
            webhook = await connection.QuerySingleOrDefaultAsync<SecretRow>(new CommandDefinition(
                "SELECT secret FROM webhooks WHERE id = @subject", new { message.subject }, cancellationToken: ct));
        }

        if (webhook is null)
        {
            return false;
        }

        AddHeaders(request, message.subject!, message.id.ToString(CultureInfo.InvariantCulture), message.topic, webhook.secret, message.payload,
            DateTimeOffset.UtcNow);
        return true;
    }

    public static void AddHeaders(HttpRequestMessage request, string webhookId, string deliveryId, string? eventName, string? secret, string body,
        DateTimeOffset now)
    {
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        request.Headers.TryAddWithoutValidation(DeliveryHeader, deliveryId);
        request.Headers.TryAddWithoutValidation(TimestampHeader, timestamp);
        request.Headers.TryAddWithoutValidation(WebhookHeader, webhookId);
        if (eventName is not null)
        {
            request.Headers.TryAddWithoutValidation(EventHeader, eventName);
        }

        if (secret is not null)
        {
            request.Headers.TryAddWithoutValidation(SignatureHeader, Sign(secret, deliveryId, timestamp, body));
        }
    }

    public static string Sign(string secret, string deliveryId, string timestamp, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{deliveryId}.{timestamp}.{body}"));
        return "v1," + Convert.ToBase64String(mac);
    }
}
