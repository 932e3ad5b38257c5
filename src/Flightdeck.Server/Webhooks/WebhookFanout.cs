using System.Data.Common;
using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Outbox;

namespace Flightdeck.Server.Webhooks;

/// <summary>
/// Turns a registry event into one outbox message per active webhook that subscribes to it, in the event's own
/// transaction: the deliveries exist exactly when the change committed.
/// </summary>
internal static class WebhookFanout
{
    private sealed class Subscription
    {
        public string id { get; set; } = "";
        public string url { get; set; } = "";
        public string events_json { get; set; } = "[]";
    }

    public static async Task EnqueueAsync(DbConnection connection, DbTransaction transaction, WebhookEvent e, CancellationToken ct)
    {
        var subscriptions = await connection.QueryAsync<Subscription>(new CommandDefinition(
            "SELECT id, url, events_json FROM webhooks WHERE status = @Active AND (model_name IS NULL OR model_name = @Name) ORDER BY creation_time, id",
            new { WebhookStatus.Active, e.Name }, transaction, cancellationToken: ct));
        foreach (var webhook in subscriptions)
        {
            if (!WebhookEvents.Matches(WebhookStore.ParseEvents(webhook.events_json), e.Event))
            {
                continue;
            }

            await OutboxWriter.EnqueueAsync(connection, transaction, new OutboxMessage(webhook.url, WebhookPayload.Build(e, webhook.id))
            {
                Kind = WebhookSigner.Kind,
                Subject = webhook.id,
                Topic = e.Event,
            }, ct);
        }
    }
}
