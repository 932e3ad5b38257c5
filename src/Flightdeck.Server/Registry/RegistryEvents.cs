using System.Data.Common;
using System.Text;
using System.Text.Json;
using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Webhooks;

namespace Flightdeck.Server.Registry;

/// <summary>One registry change about to be appended to <c>registry_events</c>, in the transaction that makes it.</summary>
internal sealed record RegistryChange(string Name, string EventType, int? Version = null, string? Alias = null, string? Before = null, string? After = null);

/// <summary>The registry's history: appended in each change's transaction, read as a timeline or as "alias at time T".</summary>
internal sealed class RegistryEvents(Database database)
{
    private sealed class EventRow
    {
        public long id { get; set; }
        public string name { get; set; } = "";
        public int? version { get; set; }
        public string event_type { get; set; } = "";
        public string actor { get; set; } = "";
        public long event_time { get; set; }
        public string? before_json { get; set; }
        public string? after_json { get; set; }
    }

    private sealed class AliasEventRow
    {
        public string event_type { get; set; } = "";
        public int? version { get; set; }
        public long event_time { get; set; }
    }

    /// <summary>Appends the event and, in the same transaction, the deliveries to the webhooks that subscribe to it.</summary>
    public static async Task AppendAsync(DbConnection connection, DbTransaction transaction, string actor, long now, RegistryChange change, CancellationToken ct)
    {
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO registry_events (name, version, alias, event_type, actor, event_time, before_json, after_json)
            VALUES (@Name, @Version, @Alias, @EventType, @actor, @now, @Before, @After)
            RETURNING id
            """,
            new { change.Name, change.Version, change.Alias, change.EventType, actor, now, change.Before, change.After },
            transaction, cancellationToken: ct));
        await WebhookFanout.EnqueueAsync(connection, transaction, new WebhookEvent(
            id, WebhookEvents.Of(change.EventType), now, actor, change.Name, change.Version, change.Alias, change.Before, change.After), ct);
    }

    /// <summary>A small JSON object of the given fields, for an event's before or after state.</summary>
    public static string State(params (string Key, object? Value)[] fields)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in fields)
            {
                switch (value)
                {
                    case null:
                        writer.WriteNull(key);
                        break;
                    case int i:
                        writer.WriteNumber(key, i);
                        break;
                    case long l:
                        writer.WriteNumber(key, l);
                        break;
                    default:
                        writer.WriteString(key, value.ToString());
                        break;
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Every event recorded under the model's name, oldest first (renames carry the history along).</summary>
    public async Task<List<RegistryEvent>> HistoryAsync(string name, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(
            """
            SELECT id, name, version, event_type, actor, event_time, before_json, after_json
            FROM registry_events WHERE name = @name ORDER BY id
            """, new { name }, cancellationToken: ct));
        return rows.Select(r => new RegistryEvent
        {
            Id = r.id,
            Name = r.name,
            Version = r.version?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            EventType = r.event_type,
            Actor = r.actor,
            Timestamp = r.event_time,
            Before = Parse(r.before_json),
            After = Parse(r.after_json),
        }).ToList();
    }

    /// <summary>The version the alias pointed at, at <paramref name="time"/> (ms), and when it was set; null when it pointed nowhere.</summary>
    public async Task<(int Version, long SetAt)?> AliasAtAsync(string name, string alias, long time, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var last = await connection.QueryFirstOrDefaultAsync<AliasEventRow>(new CommandDefinition(
            """
            SELECT event_type, version, event_time FROM registry_events
            WHERE name = @name AND alias = @alias AND event_time <= @time
            ORDER BY event_time DESC, id DESC LIMIT 1
            """, new { name, alias, time }, cancellationToken: ct));
        return last is { event_type: RegistryEventType.AliasSet, version: { } version } ? (version, last.event_time) : null;
    }

    private static JsonElement? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
