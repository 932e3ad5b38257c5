using System.Text.Json.Serialization;

namespace Flightdeck.Contracts;

/// <summary>A registry webhook as the API shows it. Its secret is never shown, only whether it has one.</summary>
public sealed record Webhook
{
    public string WebhookId { get; init; } = "";
    public string Name { get; init; } = "";
    public string? Description { get; init; }
    public string Url { get; init; } = "";
    public List<string> Events { get; init; } = [];
    public string? ModelName { get; init; }
    public string Status { get; init; } = WebhookStatus.Active;
    public bool HasSecret { get; init; }
    public long CreationTimestamp { get; init; }
    public long LastUpdatedTimestamp { get; init; }
}

public static class WebhookStatus
{
    public const string Active = "ACTIVE";
    public const string Disabled = "DISABLED";
}

/// <summary>Body of <c>POST /api/flightdeck/v1/webhooks</c>.</summary>
public sealed record CreateWebhookRequest
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public string? Url { get; init; }
    public List<string>? Events { get; init; }
    public string? ModelName { get; init; }
    public string? Secret { get; init; }
    public string? Status { get; init; }
}

/// <summary>Body of <c>PATCH /api/flightdeck/v1/webhooks/{id}</c>: only the fields given change; an empty secret removes signing.</summary>
public sealed record UpdateWebhookRequest
{
    public string? Name { get; init; }
    public string? Description { get; init; }
    public string? Url { get; init; }
    public List<string>? Events { get; init; }
    public string? ModelName { get; init; }
    public string? Secret { get; init; }
    public string? Status { get; init; }
}

public sealed record WebhookResponse(Webhook Webhook);

public sealed record ListWebhooksResponse
{
    public List<Webhook> Webhooks { get; init; } = [];
}

/// <summary>Body of <c>POST /api/flightdeck/v1/webhooks/{id}/test</c>: which event's example payload to send (the webhook's first by default).</summary>
public sealed record TestWebhookRequest
{
    public string? Event { get; init; }
}

/// <summary>The outcome of a test delivery, sent at once and not through the outbox.</summary>
public sealed record WebhookTestResult
{
    public bool Success { get; init; }
    public int? ResponseStatus { get; init; }
    public string? ResponseBody { get; init; }
    public string? ErrorMessage { get; init; }
}

/// <summary>One delivery of one event to a webhook: PENDING (retrying), DELIVERED or FAILED (given up).</summary>
public sealed record WebhookDelivery
{
    public string DeliveryId { get; init; } = "";
    public string? Event { get; init; }
    public string Status { get; init; } = "";
    public int Attempts { get; init; }
    public long CreationTimestamp { get; init; }
    public long? NextAttemptTimestamp { get; init; }
    public long? DeliveredTimestamp { get; init; }
    public int? LastStatusCode { get; init; }
    public string? LastError { get; init; }
}

public static class WebhookDeliveryStatus
{
    public const string Pending = "PENDING";
    public const string Delivered = "DELIVERED";
    public const string Failed = "FAILED";
}

/// <summary>Answer of <c>GET /api/flightdeck/v1/webhooks/{id}/deliveries</c>: newest first.</summary>
public sealed record ListWebhookDeliveriesResponse
{
    public List<WebhookDelivery> Deliveries { get; init; } = [];
    public string? NextPageToken { get; init; }
}

/// <summary>The webhook messages' JSON, with the wire settings of <see cref="FlightdeckJsonContext"/>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    PropertyNameCaseInsensitive = false,
    Converters = [typeof(NulFreeStringConverter)])]
[JsonSerializable(typeof(CreateWebhookRequest))]
[JsonSerializable(typeof(UpdateWebhookRequest))]
[JsonSerializable(typeof(WebhookResponse))]
[JsonSerializable(typeof(ListWebhooksResponse))]
[JsonSerializable(typeof(TestWebhookRequest))]
[JsonSerializable(typeof(WebhookTestResult))]
[JsonSerializable(typeof(ListWebhookDeliveriesResponse))]
public sealed partial class WebhookJsonContext : JsonSerializerContext;
