using System.Text.Json;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Flightdeck.Server.Outbox;

/// <summary>
/// Delivers the outbox: claims the due head of each destination's queue, POSTs it, and records the outcome; a failed
/// message is retried with backoff and holds back its destination's later messages meanwhile. Pending messages
/// written before a restart are simply still there. Wakes on every enqueue (in-process, and through PostgreSQL
/// NOTIFY from any server process), otherwise polls.
/// </summary>
internal sealed partial class OutboxDispatcher(
    Database database, OutboxQueue queue, OutboxSender sender, ServerOptions serverOptions,
    IEnumerable<IOutboxRequestPreparer> preparers, ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(10);

    private readonly OutboxOptions _options = serverOptions.Outbox;
    private readonly string _owner = Guid.NewGuid().ToString("N");
    private readonly Dictionary<string, IOutboxRequestPreparer> _preparers = preparers.ToDictionary(p => p.Kind, StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = OutboxWriter.OnEnqueued(Wake);
        var listening = database.IsSqlite ? Task.CompletedTask : ListenAsync(stoppingToken);
        try
        {
            var nextPurge = 0L;
            var woken = false;
            while (!stoppingToken.IsCancellationRequested)
            {
                if (Clock.NowMs() >= nextPurge)
                {
                    await PurgeAsync(stoppingToken);
                    nextPurge = Clock.NowMs() + (long)PurgeInterval.TotalMilliseconds;
                }

                var claimed = await ClaimAsync(woken, stoppingToken);
                if (claimed.Count == 0)
                {
                    woken = await _wake.WaitAsync(_options.PollInterval, stoppingToken);
                    continue;
                }

                try
                {
                    // Claimed messages all have different destinations, so they go out side by side.
                    await Task.WhenAll(claimed.Select(m => DeliverAsync(m, stoppingToken)));
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Recording an outcome failed (the store is unreachable): the leases run out and the messages are
                    // sent again, so a receiver may see one twice, never miss one. The server itself keeps running.
                    LogRecordFailed(ex);
                    await Task.Delay(_options.PollInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await listening;
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Woken twice at once: one wake is enough.
        }
    }

    private async Task PurgeAsync(CancellationToken ct)
    {
        try
        {
            await queue.PurgeAsync(Clock.NowMs() - (long)_options.KeepFinishedFor.TotalMilliseconds, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            LogClaimFailed(ex);
        }
    }

    /// <summary>
    /// Claims due messages. An idle poll first only reads whether anything is due, keeping SQLite's one writer free;
    /// after a wake it claims directly, because on SQLite that claim queues on the writer behind the enqueue's commit
    /// (the in-process wake fires before it), where a read could still miss the message.
    /// </summary>
    private async Task<List<ClaimedMessage>> ClaimAsync(bool woken, CancellationToken ct)
    {
        var now = Clock.NowMs();
        // The lease outlasts the attempt, so no other process can claim the message (or its successors) mid-flight.
        var leaseUntil = now + (long)(_options.RequestTimeout + TimeSpan.FromSeconds(30)).TotalMilliseconds;
        try
        {
            return woken || await queue.AnyDueAsync(now, ct)
                ? await queue.ClaimAsync(_owner, now, leaseUntil, Math.Max(1, _options.BatchSize), ct)
                : [];
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            LogClaimFailed(ex);
            return [];
        }
    }

    private async Task DeliverAsync(ClaimedMessage message, CancellationToken ct)
    {
        SendResult result;
        try
        {
            var headers = message.headers_json is null ? null : JsonSerializer.Deserialize(message.headers_json, OutboxJson.Default.DictionaryStringString);
            using var request = OutboxSender.CreateRequest(message.destination, message.payload, headers);
            if (_preparers.TryGetValue(message.kind, out var preparer) && !await preparer.PrepareAsync(message, request, ct))
            {
                await RecordFailureAsync(message, new SendResult(null, "The message's subscription no longer exists.", null), giveUp: true);
                return;
            }

            result = await sender.SendAsync(request, readBody: false, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: hand the claim back uncounted, so the next start (here or elsewhere) sends it at once.
            await queue.ReleaseAsync([message.id], _owner, CancellationToken.None);
            return;
        }
        catch (Exception ex)
        {
            result = new SendResult(null, ex.Message, null);
        }

        if (result.Succeeded)
        {
            await queue.DeliveredAsync(message, _owner, Clock.NowMs(), result.Status!.Value, CancellationToken.None);
            return;
        }

        var giveUp = Clock.NowMs() - message.created_time >= (long)_options.GiveUpAfter.TotalMilliseconds;
        await RecordFailureAsync(message, result, giveUp);
    }

    private async Task RecordFailureAsync(ClaimedMessage message, SendResult result, bool giveUp)
    {
        var now = Clock.NowMs();
        var attempts = message.attempts + 1;
        var delay = OutboxBackoff.Delay(attempts, _options.RetryBaseDelay, _options.RetryMaxDelay, Random.Shared.NextDouble());
        var error = result.Error ?? "Delivery failed.";
        if (giveUp)
        {
            LogGaveUp(message.id, HostOf(message.destination), attempts, error);
        }
        else
        {
            LogAttemptFailed(message.id, HostOf(message.destination), attempts, error, delay.TotalSeconds);
        }

        await queue.FailedAsync(message, _owner, now, result.Status, error, now + (long)delay.TotalMilliseconds, giveUp, CancellationToken.None);
    }

    /// <summary>On PostgreSQL, wakes on every enqueue's commit, from any server process.</summary>
    private async Task ListenAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = (NpgsqlConnection)await database.OpenAsync(ct);
                connection.Notification += (_, _) => Wake();
                await using (var listen = new NpgsqlCommand($"LISTEN {OutboxWriter.NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }

                Wake(); // anything enqueued while not listening
                while (true)
                {
                    await connection.WaitAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Polling still delivers meanwhile; listen again shortly.
                LogListenFailed(ex);
                try
                {
                    await Task.Delay(_options.PollInterval * 5, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    // Only the host: a URL's path or query may carry a token.
    private static string HostOf(string destination) => Uri.TryCreate(destination, UriKind.Absolute, out var uri) ? uri.Authority : "?";

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox: could not read or claim messages; retrying")]
    private partial void LogClaimFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox: could not record a delivery outcome; the message will be sent again")]
    private partial void LogRecordFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox: could not listen for notifications; polling meanwhile")]
    private partial void LogListenFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Outbox message {Id} to {Host}: attempt {Attempt} failed ({Error}); next in {DelaySeconds:0.###} s")]
    private partial void LogAttemptFailed(long id, string host, int attempt, string error, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {Id} to {Host}: given up after {Attempt} attempts ({Error})")]
    private partial void LogGaveUp(long id, string host, int attempt, string error);
}
