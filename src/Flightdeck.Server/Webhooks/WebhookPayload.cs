using System.Text;
using System.Text.Json;

namespace Flightdeck.Server.Webhooks;

/// <summary>One registry event as a webhook receives it.</summary>
internal sealed record WebhookEvent(long EventId, string Event, long Timestamp, string Actor, string Name, int? Version, string? Alias,
    string? BeforeJson, string? AfterJson);

/// <summary>
/// The JSON body of a delivery: <c>event_id</c>, <c>event</c> (with MLflow's <c>entity</c> and <c>action</c>),
/// <c>timestamp</c> (ms), <c>actor</c>, <c>webhook_id</c>, and <c>data</c> holding the model name, version, alias and
/// the state before and after the change.
/// </summary>
internal static class WebhookPayload
{
    public static string Build(WebhookEvent e, string webhookId, bool test = false)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var (entity, action) = WebhookEvents.Split(e.Event);
            writer.WriteStartObject();
            writer.WriteNumber("event_id", e.EventId);
            writer.WriteString("event", e.Event);
            writer.WriteString("entity", entity);
            writer.WriteString("action", action);
            writer.WriteNumber("timestamp", e.Timestamp);
            writer.WriteString("actor", e.Actor);
            writer.WriteString("webhook_id", webhookId);
            if (test)
            {
                writer.WriteBoolean("test", true);
            }

            writer.WriteStartObject("data");
            writer.WriteString("name", e.Name);
            WriteOptional(writer, "version", e.Version?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            WriteOptional(writer, "alias", e.Alias);
            WriteState(writer, "before", e.BeforeJson);
            WriteState(writer, "after", e.AfterJson);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>An example of <paramref name="eventName"/> for a test delivery.</summary>
    public static WebhookEvent Example(string eventName, string? modelName, string actor, long now) =>
        new(0, eventName, now, actor, modelName ?? "example_model",
            eventName.StartsWith("registered_model", StringComparison.Ordinal) ? null : 1,
            eventName.StartsWith("model_version_alias", StringComparison.Ordinal) ? "champion" : null,
            null, null);

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteState(Utf8JsonWriter writer, string name, string? json)
    {
        writer.WritePropertyName(name);
        if (json is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(json, skipInputValidation: false);
        }
    }
}
