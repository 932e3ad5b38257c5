using System.Globalization;
using Flightdeck.Contracts;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Outbox;
using Flightdeck.Server.Registry;
using Flightdeck.Server.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flightdeck.Server.Webhooks;

/// <summary>
/// Registry webhooks, shaped after MLflow 3's webhooks API: create, list, get, update, delete, a test delivery, and
/// each webhook's delivery history.
/// </summary>
internal static class WebhooksApi
{
    public const string Prefix = "/api/flightdeck/v1/webhooks";

    private const int JsonLimitBytes = 64 * 1024;
    private const int DefaultDeliveries = 100;
    private const int MaxDeliveries = 1000;

    private static readonly WebhookJsonContext Json = WebhookJsonContext.Default;

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup(Prefix).WithTags("Webhooks");
        api.MapPost("", Create);
        api.MapGet("", List);
        api.MapGet("/{id}", Get);
        api.MapPatch("/{id}", Update);
        api.MapDelete("/{id}", Delete);
        api.MapPost("/{id}/test", Test);
        api.MapGet("/{id}/deliveries", Deliveries);
        return routes;
    }

    private static async Task<IResult> Create(HttpContext context, WebhookStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.CreateWebhookRequest, JsonLimitBytes);
        var webhook = await store.CreateAsync(request, context.RequestAborted);
        return TypedResults.Json(new WebhookResponse(webhook), Json.WebhookResponse);
    }

    private static async Task<IResult> List(HttpContext context, WebhookStore store) =>
        TypedResults.Json(new ListWebhooksResponse { Webhooks = await store.ListAsync(context.RequestAborted) }, Json.ListWebhooksResponse);

    private static async Task<IResult> Get(HttpContext context, string id, WebhookStore store)
    {
        var row = await store.GetRowAsync(id, context.RequestAborted);
        return TypedResults.Json(new WebhookResponse(row.ToContract()), Json.WebhookResponse);
    }

    private static async Task<IResult> Update(HttpContext context, string id, WebhookStore store)
    {
        var request = await RequestBody.ReadAsync(context, Json.UpdateWebhookRequest, JsonLimitBytes);
        var webhook = await store.UpdateAsync(id, request, context.RequestAborted);
        return TypedResults.Json(new WebhookResponse(webhook), Json.WebhookResponse);
    }

    private static async Task<IResult> Delete(HttpContext context, string id, WebhookStore store)
    {
        await store.DeleteAsync(id, context.RequestAborted);
        return TypedResults.Json(new EmptyResponse(), FlightdeckJsonContext.Default.EmptyResponse);
    }

    /// <summary>Sends an example event at once (signed like a real delivery, marked <c>"test": true</c>) and reports the answer.</summary>
    private static async Task<IResult> Test(HttpContext context, string id, WebhookStore store, OutboxSender sender)
    {
        var webhook = await store.GetRowAsync(id, context.RequestAborted);
        var request = await RequestBody.ReadAsync(context, Json.TestWebhookRequest, JsonLimitBytes);
        var events = webhook.Events;
        var eventName = request.Event ?? events.FirstOrDefault(e => e != WebhookEvents.All) ?? WebhookEvents.Names[0];
        if (!WebhookEvents.IsKnown(eventName))
        {
            throw FlightdeckException.InvalidParameter($"Unknown event '{Validation.Shorten(eventName)}'; known events: {string.Join(", ", WebhookEvents.Names)}.");
        }

        var payload = WebhookPayload.Build(
            WebhookPayload.Example(eventName, webhook.model_name, RegistryActor.Of(context), Clock.NowMs()), webhook.id, test: true);
        using var message = OutboxSender.CreateRequest(webhook.url, payload, new Dictionary<string, string> { ["Content-Type"] = "application/json" });
        WebhookSigner.AddHeaders(message, webhook.id, "test-" + Guid.NewGuid().ToString("N"), eventName, webhook.secret, payload, DateTimeOffset.UtcNow);
        var result = await sender.SendAsync(message, readBody: true, context.RequestAborted);
        return TypedResults.Json(new WebhookTestResult
        {
            Success = result.Succeeded,
            ResponseStatus = result.Status,
            ResponseBody = result.Body,
            ErrorMessage = result.Error,
        }, Json.WebhookTestResult);
    }

    private static async Task<IResult> Deliveries(HttpContext context, string id, WebhookStore store, OutboxQueue outbox)
    {
        var webhook = await store.GetRowAsync(id, context.RequestAborted);
        var query = context.Request.Query;
        var limit = Validation.MaxResults(query.Long("max_results"), DefaultDeliveries, MaxDeliveries);
        var before = PageToken(query.String("page_token"));
        var rows = await outbox.ListBySubjectAsync(WebhookSigner.Kind, webhook.id, before, limit + 1, context.RequestAborted);
        var page = rows.Take(limit).ToList();
        return TypedResults.Json(new ListWebhookDeliveriesResponse
        {
            Deliveries = page.Select(ToDelivery).ToList(),
            NextPageToken = rows.Count > limit ? page[^1].id.ToString(CultureInfo.InvariantCulture) : null,
        }, Json.ListWebhookDeliveriesResponse);
    }

    private static long? PageToken(string? token) =>
        string.IsNullOrEmpty(token) ? null
        : long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id
        : throw FlightdeckException.InvalidParameter($"Invalid page_token '{Validation.Shorten(token)}'.");

    private static WebhookDelivery ToDelivery(OutboxRecord r) => new()
    {
        DeliveryId = r.id.ToString(CultureInfo.InvariantCulture),
        Event = r.topic,
        Status = r.delivered_time is not null ? WebhookDeliveryStatus.Delivered
            : r.failed_time is not null ? WebhookDeliveryStatus.Failed
            : WebhookDeliveryStatus.Pending,
        Attempts = r.attempts,
        CreationTimestamp = r.created_time,
        NextAttemptTimestamp = r.delivered_time is null && r.failed_time is null ? r.next_attempt_time : null,
        DeliveredTimestamp = r.delivered_time,
        LastStatusCode = r.last_status,
        LastError = r.last_error,
    };
}
