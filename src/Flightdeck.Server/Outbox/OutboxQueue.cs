using Dapper;
using Flightdeck.Server.Storage;

namespace Flightdeck.Server.Outbox;

/// <summary>A message claimed for one delivery attempt.</summary>
internal sealed class ClaimedMessage
{
    public long id { get; set; }
    public string destination { get; set; } = "";
    public string kind { get; set; } = "";
    public string? subject { get; set; }
    public string? topic { get; set; }
    public string payload { get; set; } = "";
    public string? headers_json { get; set; }
    public long created_time { get; set; }
    public int attempts { get; set; }
}

/// <summary>A message's delivery state, for listings.</summary>
internal sealed class OutboxRecord
{
    public long id { get; set; }
    public string? topic { get; set; }
    public long created_time { get; set; }
    public int attempts { get; set; }
    public long next_attempt_time { get; set; }
    public long? delivered_time { get; set; }
    public long? failed_time { get; set; }
    public int? last_status { get; set; }
    public string? last_error { get; set; }
}

/// <summary>
/// The outbox table as a set of per-destination queues. Only the oldest pending message of a destination can be
/// claimed, and only while no lease holds it, so a destination sees its messages one at a time and in order, whichever
/// process delivers them. PostgreSQL claims with <c>FOR UPDATE SKIP LOCKED</c> so concurrent claimers pass each other
/// by; on SQLite the one writer serialises claims.
/// </summary>
internal sealed class OutboxQueue(Database database)
{
    /// <summary>Whether any message is due, read without a write transaction (idle polls stay off SQLite's one writer).</summary>
    public async Task<bool> AnyDueAsync(long now, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var due = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            SELECT 1 FROM outbox_messages
            WHERE delivered_time IS NULL AND failed_time IS NULL AND next_attempt_time <= @now AND (lease_until IS NULL OR lease_until < @now)
            LIMIT 1
            """, new { now }, cancellationToken: ct));
        return due is not null;
    }

    public Task<List<ClaimedMessage>> ClaimAsync(string owner, long now, long leaseUntil, int limit, CancellationToken ct)
    {
        var skipLocked = database.IsSqlite ? "" : " FOR UPDATE SKIP LOCKED";
        var sql = $"""
            UPDATE outbox_messages SET lease_owner = @owner, lease_until = @leaseUntil
            WHERE id IN (
                SELECT o.id FROM outbox_messages o
                WHERE o.delivered_time IS NULL AND o.failed_time IS NULL
                  AND o.next_attempt_time <= @now AND (o.lease_until IS NULL OR o.lease_until < @now)
                  AND NOT EXISTS (
                      SELECT 1 FROM outbox_messages e
                      WHERE e.destination = o.destination AND e.id < o.id AND e.delivered_time IS NULL AND e.failed_time IS NULL)
                ORDER BY o.id LIMIT @limit{skipLocked})
            RETURNING id, destination, kind, subject, topic, payload, headers_json, created_time, attempts
            """;
        return database.WriteAsync(async (connection, transaction) =>
            (await connection.QueryAsync<ClaimedMessage>(new CommandDefinition(
                sql, new { owner, now, leaseUntil, limit }, transaction, cancellationToken: ct))).OrderBy(m => m.id).ToList(), ct);
    }

    public Task DeliveredAsync(ClaimedMessage message, string owner, long now, int status, CancellationToken ct) =>
        database.WriteAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE outbox_messages
            SET delivered_time = @now, attempts = attempts + 1, last_status = @status, last_error = NULL, lease_owner = NULL, lease_until = NULL
            WHERE id = @id AND lease_owner = @owner
            """, new { message.id, owner, now, status }, transaction, cancellationToken: ct)), ct);

    /// <summary>Records a failed attempt: retried at <paramref name="nextAttempt"/>, or given up when <paramref name="giveUp"/>.</summary>
    public Task FailedAsync(ClaimedMessage message, string owner, long now, int? status, string error, long nextAttempt, bool giveUp, CancellationToken ct) =>
        database.WriteAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE outbox_messages
            SET attempts = attempts + 1, last_status = @status, last_error = @error, next_attempt_time = @nextAttempt,
                failed_time = CASE WHEN @giveUp = 1 THEN @now ELSE NULL END, lease_owner = NULL, lease_until = NULL
            WHERE id = @id AND lease_owner = @owner
            """,
            new { message.id, owner, now, status, error = Truncate(error, 2000), nextAttempt, giveUp = giveUp ? 1 : 0 },
            transaction, cancellationToken: ct)), ct);

    /// <summary>Gives a claim back without counting an attempt (the process is stopping).</summary>
    public Task ReleaseAsync(IEnumerable<long> ids, string owner, CancellationToken ct) =>
        database.WriteAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox_messages SET lease_owner = NULL, lease_until = NULL WHERE id = @id AND lease_owner = @owner",
            ids.Select(id => new { id, owner }).ToList(), transaction, cancellationToken: ct)), ct);

    /// <summary>Deletes delivered and given-up messages finished before <paramref name="cutoff"/>.</summary>
    public Task<int> PurgeAsync(long cutoff, CancellationToken ct) =>
        database.WriteAsync((connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM outbox_messages WHERE delivered_time < @cutoff OR failed_time < @cutoff",
            new { cutoff }, transaction, cancellationToken: ct)), ct);

    /// <summary>The messages of one subject, newest first, with ids below <paramref name="beforeId"/> when given.</summary>
    public async Task<List<OutboxRecord>> ListBySubjectAsync(string kind, string subject, long? beforeId, int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<OutboxRecord>(new CommandDefinition(
            """
            SELECT id, topic, created_time, attempts, next_attempt_time, delivered_time, failed_time, last_status, last_error
            FROM outbox_messages
            WHERE kind = @kind AND subject = @subject AND (@beforeId IS NULL OR id < @beforeId)
            ORDER BY id DESC LIMIT @limit
            """, new { kind, subject, beforeId, limit }, cancellationToken: ct));
        return rows.ToList();
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
