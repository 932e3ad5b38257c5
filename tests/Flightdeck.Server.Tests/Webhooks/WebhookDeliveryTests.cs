using System.Text.Json;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Tests.Infrastructure;
using Flightdeck.Server.Tests.Registry;

namespace Flightdeck.Server.Tests.Webhooks;

public sealed class WebhookDeliveryTests
{
    private const string Secret = "receiver-shared-secret";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_registry_change_is_delivered_with_a_valid_signature(string backend)
    {
        // Given
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(backend, OutboxTests.WithFastOutbox);
        var webhookId = await server.CreateWebhookAsync(receiver.Url(), ["registered_model.created", "model_version.created"], Secret);

        // When
        await server.CreateModelAsync("churn");
        using (await server.SendAsync(HttpMethod.Post, "model-versions/create", new { name = "churn", source = "s3://bucket/churn/1" }, user: "alice"))
        {
        }

        // Then
        var received = await receiver.WaitForAcceptedAsync(2, Patience);
        Assert.All(received, d => WebhookTestClient.AssertSigned(d, Secret));
        Assert.Equal(["registered_model.created", "model_version.created"], received.Select(d => d.Headers["X-Flightdeck-Event"]));
        var version = received[1].Json();
        Assert.Equal("model_version.created", version.GetProperty("event").GetString());
        Assert.Equal("model_version", version.GetProperty("entity").GetString());
        Assert.Equal("created", version.GetProperty("action").GetString());
        Assert.Equal("alice", version.GetProperty("actor").GetString());
        Assert.Equal(webhookId, version.GetProperty("webhook_id").GetString());
        Assert.Equal("churn", version.GetProperty("data").GetProperty("name").GetString());
        Assert.Equal("1", version.GetProperty("data").GetProperty("version").GetString());
        Assert.Equal(JsonValueKind.Object, version.GetProperty("data").GetProperty("after").ValueKind);
        Assert.True(version.GetProperty("event_id").GetInt64() > received[0].Json().GetProperty("event_id").GetInt64());
        var history = (await server.GetFlightdeckAsync("history?name=churn")).GetProperty("events");
        Assert.Equal(history.EnumerateArray().Select(e => e.GetProperty("id").GetInt64()), received.Select(d => d.Json().GetProperty("event_id").GetInt64()));
        var deliveries = await server.DeliveriesAsync(webhookId);
        Assert.All(deliveries, d => Assert.Equal("DELIVERED", d.GetProperty("status").GetString()));
        Assert.Equal(received.Select(d => d.Headers["X-Flightdeck-Delivery"]).Reverse(), deliveries.Select(d => d.GetProperty("delivery_id").GetString()));
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Events_a_webhook_did_not_subscribe_to_are_not_delivered(string backend)
    {
        // Given: one webhook for champion moves of "a" only, one for everything, one disabled
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(backend, OutboxTests.WithFastOutbox);
        await server.CreateWebhookAsync(receiver.Url("alias-of-a"), ["model_version_alias.created"], modelName: "a");
        await server.CreateWebhookAsync(receiver.Url("all"), ["*"]);
        var disabled = await server.CreateWebhookAsync(receiver.Url("disabled"), ["*"]);
        await server.WebhookOkAsync(HttpMethod.Patch, "/" + disabled, new { status = "DISABLED" });

        // When
        foreach (var model in new[] { "a", "b" })
        {
            await server.CreateModelAsync(model);
            await server.CreateVersionAsync(model);
            await server.PostOkAsync("registered-models/alias", new { name = model, alias = "champion", version = "1" });
            await server.SendOkAsync(HttpMethod.Delete, "registered-models/alias", new { name = model, alias = "champion" });
        }

        // Then: all 8 events reached "all"; by then the filtered webhook's one event had long been sent
        var all = await WaitForPathAsync(receiver, "/all", 8);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        var filtered = receiver.Accepted.Where(d => d.Path == "/alias-of-a").ToList();
        var only = Assert.Single(filtered).Json();
        Assert.Equal("model_version_alias.created", only.GetProperty("event").GetString());
        Assert.Equal("a", only.GetProperty("data").GetProperty("name").GetString());
        Assert.Equal("champion", only.GetProperty("data").GetProperty("alias").GetString());
        Assert.DoesNotContain(receiver.Received, d => d.Path == "/disabled");
        Assert.Equal(
            ["registered_model.created", "model_version.created", "model_version_alias.created", "model_version_alias.deleted"],
            all.Take(4).Select(d => d.Json().GetProperty("event").GetString()));
        Assert.False(all[0].Headers.ContainsKey("X-Flightdeck-Signature")); // no secret, no signature
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_receiver_down_across_a_server_restart_gets_every_event_once_and_in_order(string backend)
    {
        // Given: a store that outlives the server processes, and a webhook for every event
        var storeDir = Directory.CreateTempSubdirectory("flightdeck-webhook-store-");
        var store = await StoreBackend.CreateAsync(backend, storeDir.FullName);
        ServerOptions OnTheStore(ServerOptions o) => OutboxTests.WithFastOutbox(o) with { BackendStoreUri = store };
        await using var receiver = await WebhookReceiver.StartAsync();
        string webhookId;
        await using (var first = await TestServer.StartAsync(backend, OnTheStore))
        {
            webhookId = await first.CreateWebhookAsync(receiver.Url(), ["*"], Secret);
            await first.CreateModelAsync("churn");
            await first.CreateVersionAsync("churn");
            await receiver.WaitForAcceptedAsync(2, Patience);

            // When: the receiver goes down, changes keep coming, and deliveries fail
            await receiver.StopAsync();
            await first.CreateVersionAsync("churn");
            await first.PostOkAsync("registered-models/alias", new { name = "churn", alias = "champion", version = "2" });
            await first.PostOkAsync("model-versions/set-tag", new { name = "churn", version = "2", key = "validated", value = "yes" });
            await WebhookTestClient.WaitUntilAsync(async () => (await first.DeliveriesAsync(webhookId)).Any(d => d.GetProperty("attempts").GetInt32() >= 2),
                Patience, "failed attempts while the receiver is down");
        }

        // ... the server is stopped and a new process starts on the same store, with more changes
        await using var second = await TestServer.StartAsync(backend, OnTheStore);
        await second.CreateVersionAsync("churn");
        await second.PostOkAsync("registered-models/alias", new { name = "churn", alias = "champion", version = "3" });
        await second.PostOkAsync("model-versions/transition-stage", new { name = "churn", version = "3", stage = "Production", archive_existing_versions = false });
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Contains(await second.DeliveriesAsync(webhookId), d => d.GetProperty("status").GetString() == "PENDING"
            && d.TryGetProperty("last_error", out var error) && error.GetString() is { Length: > 0 });
        await receiver.RestartAsync();

        // Then: every event, once, in order
        var history = (await second.GetFlightdeckAsync("history?name=churn")).GetProperty("events").EnumerateArray()
            .Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(8, history.Count);
        await receiver.WaitForAcceptedAsync(history.Count, Patience);
        await Task.Delay(500, TestContext.Current.CancellationToken); // room for a duplicate to show up
        var accepted = receiver.Accepted;
        Assert.Equal(history, accepted.Select(d => d.Json().GetProperty("event_id").GetInt64()));
        Assert.Equal(history.Count, accepted.Select(d => d.Headers["X-Flightdeck-Delivery"]).Distinct().Count());
        Assert.All(accepted, d => WebhookTestClient.AssertSigned(d, Secret));
        Assert.All(await second.DeliveriesAsync(webhookId), d => Assert.Equal("DELIVERED", d.GetProperty("status").GetString()));
        storeDir.Delete(recursive: true);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_delivery_goes_out_at_once_rather_than_at_the_next_poll(string backend)
    {
        // Given: a dispatcher that would poll only every 30 s
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(backend, o => o with { Outbox = OutboxTests.Fast with { PollInterval = TimeSpan.FromSeconds(30) } });
        await server.CreateWebhookAsync(receiver.Url(), ["registered_model.created"]);
        await Task.Delay(200, TestContext.Current.CancellationToken); // the dispatcher is idle, waiting

        // When
        var started = DateTimeOffset.UtcNow;
        await server.CreateModelAsync("prompt");

        // Then: woken by the enqueue (in process on SQLite, by NOTIFY on commit on PostgreSQL)
        var delivered = await receiver.WaitForAcceptedAsync(1, TimeSpan.FromSeconds(10));
        Assert.True(delivered[0].At - started < TimeSpan.FromSeconds(5), $"delivered after {delivered[0].At - started}");
    }

    [Fact]
    public async Task Retries_back_off_and_the_delivery_history_shows_them()
    {
        // Given: a receiver that answers 503
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Status = 503;
        await using var server = await TestServer.StartAsync(configure: o => o with
        {
            Outbox = OutboxTests.Fast with { RetryBaseDelay = TimeSpan.FromMilliseconds(100), RetryMaxDelay = TimeSpan.FromSeconds(5) },
        });
        var webhookId = await server.CreateWebhookAsync(receiver.Url(), ["registered_model.created"]);

        // When
        await server.CreateModelAsync("flaky");
        await WebhookTestClient.WaitUntilAsync(() => Task.FromResult(receiver.Received.Count >= 5), Patience, "five attempts");
        var pending = Assert.Single(await server.DeliveriesAsync(webhookId));
        receiver.Status = 200;
        await receiver.WaitForAcceptedAsync(1, Patience);

        // Then: waits of at least 50, 100, 200 and 400 ms between the attempts (base 100 ms doubling, half of it jitter)
        var at = receiver.Received.Take(5).Select(d => d.At).ToList();
        var gaps = at.Zip(at.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToList();
        var described = string.Join(", ", gaps.Select(g => $"{g:0} ms"));
        Assert.True(gaps[1] >= 95 && gaps[2] >= 195 && gaps[3] >= 395, described);
        Assert.True(gaps[3] > gaps[0], described);
        Assert.True(at[4] - at[0] < TimeSpan.FromSeconds(10), described); // capped and prompt, not stuck
        Assert.Equal("PENDING", pending.GetProperty("status").GetString());
        Assert.True(pending.GetProperty("attempts").GetInt32() >= 4);
        Assert.Equal(503, pending.GetProperty("last_status_code").GetInt32());
        Assert.Contains("503", pending.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        Assert.Single(receiver.Received.Select(d => d.Headers["X-Flightdeck-Delivery"]).Distinct());
        await WebhookTestClient.WaitUntilAsync(async () => (await server.DeliveriesAsync(webhookId))[0].GetProperty("status").GetString() == "DELIVERED",
            Patience, "the delivery recorded as delivered");
    }

    [Fact]
    public async Task Two_servers_on_one_PostgreSQL_deliver_each_event_once_and_in_order()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var first = await TestServer.StartAsync(StoreBackend.Postgres, OutboxTests.WithFastOutbox);
        await using var second = await TestServer.StartAsync(StoreBackend.Postgres,
            o => OutboxTests.WithFastOutbox(o) with { BackendStoreUri = first.Options.BackendStoreUri });
        await first.CreateWebhookAsync(receiver.Url(), ["*"], Secret);
        await first.CreateModelAsync("shared");

        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => (i % 2 == 0 ? first : second).CreateVersionAsync("shared", $"s3://bucket/shared/{i}")));

        await receiver.WaitForAcceptedAsync(31, Patience);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        var eventIds = receiver.Accepted.Select(d => d.Json().GetProperty("event_id").GetInt64()).ToList();
        Assert.Equal(31, eventIds.Count);
        Assert.Equal(eventIds.Order(), eventIds);
        Assert.Equal(31, eventIds.Distinct().Count());
    }

    [Fact]
    public async Task Deleting_a_webhook_drops_its_pending_deliveries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.StatusFor = (path, _) => path == "/doomed" ? 500 : 200;
        await using var server = await TestServer.StartAsync(configure: OutboxTests.WithFastOutbox);
        var doomed = await server.CreateWebhookAsync(receiver.Url("doomed"), ["*"]);
        await server.CreateModelAsync("m");
        await WebhookTestClient.WaitUntilAsync(() => Task.FromResult(receiver.Received.Count >= 2), Patience, "failing attempts");

        await server.WebhookOkAsync(HttpMethod.Delete, "/" + doomed);
        var count = receiver.Received.Count;
        await server.CreateWebhookAsync(receiver.Url("fresh"), ["*"]);
        await server.CreateVersionAsync("m");

        var fresh = await WaitForPathAsync(receiver, "/fresh", 1);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Equal("model_version.created", fresh[0].Json().GetProperty("event").GetString());
        Assert.True(receiver.Received.Count(d => d.Path == "/doomed") <= count + 1); // at most one attempt was already in flight
        Assert.DoesNotContain(receiver.Accepted, d => d.Path == "/doomed");
    }

    private static async Task<List<WebhookReceiver.Delivery>> WaitForPathAsync(WebhookReceiver receiver, string path, int count)
    {
        await WebhookTestClient.WaitUntilAsync(() => Task.FromResult(receiver.Accepted.Count(d => d.Path == path) >= count), Patience,
            $"{count} deliveries to {path}");
        return receiver.Accepted.Where(d => d.Path == path).ToList();
    }
}
