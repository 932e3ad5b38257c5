using System.Text.Json;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Outbox;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Tests.Webhooks;

public sealed class OutboxTests
{
    internal static readonly OutboxOptions Fast = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(25),
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        RetryMaxDelay = TimeSpan.FromMilliseconds(300),
        RequestTimeout = TimeSpan.FromSeconds(5),
    };

    internal static ServerOptions WithFastOutbox(ServerOptions options) => options with { Outbox = Fast };

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Enqueued_messages_are_posted_in_order_with_their_headers(string backend)
    {
        // Given
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(backend, WithFastOutbox);
        var database = server.Services.GetRequiredService<Database>();

        // When
        await database.WriteAsync(async (connection, transaction) =>
        {
            for (var i = 1; i <= 5; i++)
            {
                await OutboxWriter.EnqueueAsync(connection, transaction, receiver.Url("lineage"), $$"""{"n":{{i}}}""",
                    new Dictionary<string, string> { ["X-Test"] = "yes" }, TestContext.Current.CancellationToken);
            }
        }, TestContext.Current.CancellationToken);

        // Then
        var received = await receiver.WaitForAcceptedAsync(5, TimeSpan.FromSeconds(20));
        Assert.Equal([1, 2, 3, 4, 5], received.Select(d => JsonDocument.Parse(d.Body).RootElement.GetProperty("n").GetInt32()));
        Assert.All(received, d => Assert.Equal("yes", d.Headers["X-Test"]));
        Assert.All(received, d => Assert.StartsWith("application/json", d.Headers["Content-Type"], StringComparison.Ordinal));
        Assert.All(received, d => Assert.Equal("/lineage", d.Path));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_message_whose_transaction_rolled_back_is_never_sent(string backend)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(backend, WithFastOutbox);
        var database = server.Services.GetRequiredService<Database>();
        var ct = TestContext.Current.CancellationToken;

        await Assert.ThrowsAsync<InvalidOperationException>(() => database.WriteAsync(async (connection, transaction) =>
        {
            await OutboxWriter.EnqueueAsync(connection, transaction, receiver.Url(), """{"n":"rolled back"}""", null, ct);
            throw new InvalidOperationException("the change fails");
        }, ct));
        await database.WriteAsync((connection, transaction) =>
            OutboxWriter.EnqueueAsync(connection, transaction, receiver.Url(), """{"n":"committed"}""", null, ct), ct);

        await receiver.WaitForAcceptedAsync(1, TimeSpan.FromSeconds(20));
        await Task.Delay(300, ct);
        Assert.Equal(["""{"n":"committed"}"""], receiver.Received.Select(d => d.Body));
    }

    [Fact]
    public async Task A_commit_in_another_process_wakes_the_dispatcher_through_PostgreSQL_notify()
    {
        // Given: a dispatcher that would poll only every 30 s, and a message written by "another process" (plain SQL)
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(StoreBackend.Postgres, o => o with { Outbox = Fast with { PollInterval = TimeSpan.FromSeconds(30) } });
        await Task.Delay(300, TestContext.Current.CancellationToken);
        await using var connection = new Npgsql.NpgsqlConnection(BackendStoreUri.Parse(server.Options.BackendStoreUri).ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // When
        await using (var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken))
        {
            await using var insert = new Npgsql.NpgsqlCommand(
                $"""
                INSERT INTO outbox_messages (destination, kind, payload, created_time, next_attempt_time) VALUES ('{receiver.Url()}', 'http', '[]', {now}, {now});
                SELECT pg_notify('{OutboxWriter.NotifyChannel}', '')
                """, connection, transaction);
            await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            await transaction.CommitAsync(TestContext.Current.CancellationToken);
        }

        // Then
        var delivered = await receiver.WaitForAcceptedAsync(1, TimeSpan.FromSeconds(10));
        Assert.True(delivered[0].At - DateTimeOffset.FromUnixTimeMilliseconds(now) < TimeSpan.FromSeconds(5));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_message_given_up_is_marked_failed_and_its_destinations_next_message_proceeds(string backend)
    {
        // Given: a receiver that refuses message 1 for good, and a give-up time of 400 ms
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.StatusFor = (_, body) => body.Contains("\"n\":1", StringComparison.Ordinal) ? 500 : 200;
        await using var server = await TestServer.StartAsync(backend, o => o with { Outbox = Fast with { GiveUpAfter = TimeSpan.FromMilliseconds(400) } });
        var database = server.Services.GetRequiredService<Database>();
        var ct = TestContext.Current.CancellationToken;

        // When
        await database.WriteAsync(async (connection, transaction) =>
        {
            await OutboxWriter.EnqueueAsync(connection, transaction, receiver.Url(), """{"n":1}""", null, ct);
            await OutboxWriter.EnqueueAsync(connection, transaction, receiver.Url(), """{"n":2}""", null, ct);
        }, ct);

        // Then: message 2 waited behind message 1's retries, then went out once message 1 was given up
        var accepted = await receiver.WaitForAcceptedAsync(1, TimeSpan.FromSeconds(20));
        Assert.Equal("""{"n":2}""", Assert.Single(accepted).Body);
        var attemptsOfFirst = receiver.Received.Count(d => d.Body == """{"n":1}""");
        Assert.True(attemptsOfFirst >= 2, $"{attemptsOfFirst} attempts");
        Assert.True(receiver.Received.ToList().FindLastIndex(d => d.Body == """{"n":1}""") < receiver.Received.ToList().FindIndex(d => d.Body == """{"n":2}"""));
        await using var connection = await database.OpenAsync(ct);
        var failed = await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection,
            "SELECT COUNT(*) FROM outbox_messages WHERE failed_time IS NOT NULL AND delivered_time IS NULL AND last_status = 500");
        Assert.Equal(1, failed);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_message_claimed_by_a_process_that_died_is_sent_once_its_lease_runs_out(string backend)
    {
        // Given: a message (and a successor) whose claim is held by a process that no longer exists
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(backend, WithFastOutbox);
        var database = server.Services.GetRequiredService<Database>();
        var ct = TestContext.Current.CancellationToken;
        var leaseEnds = DateTimeOffset.UtcNow.AddMilliseconds(800);
        await database.WriteAsync(async (connection, transaction) =>
        {
            var id = await OutboxWriter.EnqueueAsync(connection, transaction, receiver.Url(), """{"n":1}""", null, ct);
            await OutboxWriter.EnqueueAsync(connection, transaction, receiver.Url(), """{"n":2}""", null, ct);
            await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE outbox_messages SET lease_owner = 'dead', lease_until = @until WHERE id = @id",
                new { until = leaseEnds.ToUnixTimeMilliseconds(), id }, transaction);
        }, ct);

        // Then: nothing moves while the lease holds; afterwards both go out, in order
        var received = await receiver.WaitForAcceptedAsync(2, TimeSpan.FromSeconds(20));
        Assert.Equal(["""{"n":1}""", """{"n":2}"""], received.Select(d => d.Body));
        Assert.True(received[0].At >= leaseEnds, $"sent at {received[0].At:O}, lease until {leaseEnds:O}");
    }

    [Fact]
    public void Enqueue_refuses_a_destination_that_is_not_an_http_url()
    {
        Assert.False(OutboxWriter.IsDeliverable("file:///etc/passwd"));
        Assert.False(OutboxWriter.IsDeliverable("/relative"));
        Assert.True(OutboxWriter.IsDeliverable("https://example.com/hook"));
    }

    [Fact]
    public void Backoff_doubles_per_failure_with_jitter_and_stays_under_the_cap()
    {
        var baseDelay = TimeSpan.FromSeconds(1);
        var cap = TimeSpan.FromSeconds(10);

        Assert.Equal(TimeSpan.FromMilliseconds(500), OutboxBackoff.Delay(1, baseDelay, cap, random: 0));
        Assert.Equal(TimeSpan.FromSeconds(1), OutboxBackoff.Delay(1, baseDelay, cap, random: 1));
        Assert.Equal(TimeSpan.FromSeconds(4), OutboxBackoff.Delay(3, baseDelay, cap, random: 1));
        Assert.Equal(TimeSpan.FromSeconds(3), OutboxBackoff.Delay(3, baseDelay, cap, random: 0.5));
        Assert.Equal(cap, OutboxBackoff.Delay(40, baseDelay, cap, random: 1));
        Assert.Equal(cap / 2, OutboxBackoff.Delay(40, baseDelay, cap, random: 0));
    }
}
