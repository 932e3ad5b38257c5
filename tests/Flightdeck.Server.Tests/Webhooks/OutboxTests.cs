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
