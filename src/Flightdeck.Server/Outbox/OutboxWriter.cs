using System.Data.Common;
using System.Text.Json;
using Dapper;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Outbox;

/// <summary>
/// One HTTP POST to deliver later. <see cref="Kind"/> names the <see cref="IOutboxRequestPreparer"/> that completes the
/// request when it is sent (the default, <see cref="OutboxWriter.PlainKind"/>, sends it as stored); <see cref="Subject"/> and
/// <see cref="Topic"/> are that kind's reference and a label for listings.
/// </summary>
internal sealed record OutboxMessage(string Destination, string Payload)
{
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    public string ContentType { get; init; } = "application/json";

    public string Kind { get; init; } = OutboxWriter.PlainKind;

    public string? Subject { get; init; }

    public string? Topic { get; init; }
}

/// <summary>
/// The durable outbox. A message is enqueued in the caller's transaction, so it exists exactly when the change that
/// caused it committed; <see cref="OutboxDispatcher"/> then POSTs it, in order per destination, retrying with backoff
/// across restarts. Delivery is at least once: a process that dies between the receiver's answer and recording it
/// sends that message again, so receivers should de-duplicate on the delivery id.
/// </summary>
internal static class OutboxWriter
{
    public const string PlainKind = "http";

    /// <summary>The PostgreSQL channel an enqueue notifies on commit, waking the dispatchers of every server process.</summary>
    public const string NotifyChannel = "flightdeck_outbox";

    private const int MaxDestinationLength = 2000;

    private static event Action? Enqueued;

    /// <summary>
    /// Enqueues a JSON POST of <paramref name="payload"/> to <paramref name="destination"/> (an absolute http or https
    /// URL) in the caller's transaction; returns the message id. <paramref name="headers"/> are sent as given.
    /// </summary>
    public static Task<long> EnqueueAsync(DbConnection connection, DbTransaction transaction, string destination, string payload,
        IReadOnlyDictionary<string, string>? headers, CancellationToken ct) =>
        EnqueueAsync(connection, transaction, new OutboxMessage(destination, payload) { Headers = headers }, ct);

    /// <summary>Enqueues <paramref name="message"/> in the caller's transaction; returns its id.</summary>
    public static async Task<long> EnqueueAsync(DbConnection connection, DbTransaction transaction, OutboxMessage message, CancellationToken ct)
    {
        if (!IsDeliverable(message.Destination))
        {
            throw new ArgumentException("An outbox destination must be an absolute http or https URL.", nameof(message));
        }

        var now = Clock.NowMs();
        var headers = new Dictionary<string, string>(message.Headers ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        headers.TryAdd("Content-Type", message.ContentType);
        // PostgreSQL delivers a NOTIFY when (and only if) the transaction commits, so no dispatcher looks too early.
        var notify = connection is Npgsql.NpgsqlConnection ? $"; SELECT pg_notify('{NotifyChannel}', '')" : "";
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"""
            INSERT INTO outbox_messages (destination, kind, subject, topic, payload, headers_json, created_time, next_attempt_time)
            VALUES (@Destination, @Kind, @Subject, @Topic, @Payload, @headersJson, @now, @now)
            RETURNING id{notify}
            """,
            new { message.Destination, message.Kind, message.Subject, message.Topic, message.Payload,
                headersJson = JsonSerializer.Serialize(headers, OutboxJson.Default.DictionaryStringString), now },
            transaction, cancellationToken: ct));
        Enqueued?.Invoke();
        return id;
    }

    /// <summary>Removes every message of one subject, delivered or not (its subscription is gone).</summary>
    public static Task<int> DeleteSubjectAsync(DbConnection connection, DbTransaction transaction, string kind, string subject, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM outbox_messages WHERE kind = @kind AND subject = @subject", new { kind, subject }, transaction, cancellationToken: ct));

    public static bool IsDeliverable(string destination) =>
        destination.Length <= MaxDestinationLength
        && Uri.TryCreate(destination, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0;

    /// <summary>
    /// Runs <paramref name="wake"/> after each enqueue in this process, before its commit: on SQLite the dispatcher's
    /// claim queues behind that commit on the one writer, so it sees the message.
    /// </summary>
    internal static IDisposable OnEnqueued(Action wake)
    {
        Enqueued += wake;
        return new Unsubscriber(wake);
    }

    private sealed class Unsubscriber(Action wake) : IDisposable
    {
        public void Dispose() => Enqueued -= wake;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class OutboxJson : System.Text.Json.Serialization.JsonSerializerContext;
