using System.Collections.Concurrent;
using System.Net;
using Flightdeck.Client.Runs;
using Flightdeck.Contracts;

namespace Flightdeck.Client.Tests;

/// <summary>
/// The buffering and chunking of the run scope, with a recording sender in place of the server (pure client-side logic;
/// the end-to-end behaviour is covered against a real server in RunScopeTests).
/// </summary>
public sealed class RunLogBufferTests
{
    private readonly ConcurrentQueue<LogBatchRequest> _sent = new();

    private Task Record(LogBatchRequest batch, CancellationToken cancellationToken)
    {
        _sent.Enqueue(batch);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Everything_logged_is_sent_in_order_in_chunks_within_the_limits()
    {
        var buffer = new RunLogBuffer("run", Record, capacity: 100_000);
        for (var i = 0; i < 2500; i++)
        {
            buffer.Add(new MetricEntry(new Metric { Key = "loss", Value = i, Step = i, Timestamp = 1 }));
        }

        for (var i = 0; i < 250; i++)
        {
            buffer.Add(new ParamEntry(new Param($"p{i}", "v")));
        }

        await buffer.CompleteAsync(TestContext.Current.CancellationToken);

        Assert.All(_sent, b =>
        {
            Assert.Equal("run", b.RunId);
            Assert.InRange(b.Metrics!.Count, 0, 1000);
            Assert.InRange(b.Params!.Count, 0, 100);
            Assert.InRange(b.Metrics.Count + b.Params.Count + b.Tags!.Count, 1, 1000);
        });
        Assert.Equal(Enumerable.Range(0, 2500).Select(i => (long)i), _sent.SelectMany(b => b.Metrics!).Select(m => m.Step!.Value));
        Assert.Equal(250, _sent.SelectMany(b => b.Params!).Count());
        Assert.True(_sent.Count >= 5, $"expected at least 5 batches, got {_sent.Count}");
    }

    [Fact]
    public async Task Flush_returns_once_everything_queued_before_it_was_sent()
    {
        var release = new TaskCompletionSource();
        var buffer = new RunLogBuffer("run", async (batch, ct) =>
        {
            await release.Task;
            _sent.Enqueue(batch);
        }, capacity: 1000);
        buffer.Add(new TagEntry(new RunTag("a", "1")));

        var flush = buffer.FlushAsync(TestContext.Current.CancellationToken);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.False(flush.IsCompleted);

        release.SetResult();
        await flush;
        Assert.Single(_sent);
    }

    [Fact]
    public async Task A_failed_send_is_rethrown_by_the_next_call_and_only_once()
    {
        var buffer = new RunLogBuffer("run", (batch, ct) =>
            throw new InvalidParameterException(ErrorCode.InvalidParameterValue, "Changing param values is not allowed", HttpStatusCode.BadRequest),
            capacity: 1000);
        buffer.Add(new ParamEntry(new Param("lr", "0.1")));

        var error = await Assert.ThrowsAsync<InvalidParameterException>(() => buffer.FlushAsync(TestContext.Current.CancellationToken));
        Assert.Contains("Changing param values", error.Message);

        buffer.Add(new TagEntry(new RunTag("after", "failure")));
        await Assert.ThrowsAsync<InvalidParameterException>(() => buffer.FlushAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_failure_surfaces_on_the_next_logging_call()
    {
        var buffer = new RunLogBuffer("run", (batch, ct) =>
            throw new InvalidParameterException(ErrorCode.InvalidParameterValue, "bad", HttpStatusCode.BadRequest), capacity: 1000);
        buffer.Add(new TagEntry(new RunTag("a", "1")));
        await WaitUntilAsync(() =>
        {
            try
            {
                buffer.Add(new TagEntry(new RunTag("b", "2")));
                return false;
            }
            catch (InvalidParameterException)
            {
                return true;
            }
        });
    }

    [Fact]
    public async Task Transient_failures_are_retried()
    {
        var attempts = 0;
        var buffer = new RunLogBuffer("run", (batch, ct) =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                throw new FlightdeckConnectionException("connection reset");
            }

            _sent.Enqueue(batch);
            return Task.CompletedTask;
        }, capacity: 1000);
        buffer.Add(new TagEntry(new RunTag("a", "1")));

        await buffer.FlushAsync(TestContext.Current.CancellationToken);

        Assert.Equal(2, attempts);
        Assert.Single(_sent);
    }

    [Fact]
    public async Task Logging_waits_when_the_buffer_is_full_and_resumes_when_the_sender_catches_up()
    {
        var release = new TaskCompletionSource();
        var buffer = new RunLogBuffer("run", async (batch, ct) =>
        {
            await release.Task;
            _sent.Enqueue(batch);
        }, capacity: 10);

        // The sender takes the first entry and blocks on it; then 10 more fill the buffer.
        buffer.Add(new MetricEntry(new Metric { Key = "m", Value = 0, Timestamp = 1 }));
        await Task.Delay(100, TestContext.Current.CancellationToken);
        for (var i = 1; i <= 10; i++)
        {
            buffer.Add(new MetricEntry(new Metric { Key = "m", Value = i, Timestamp = 1 }));
        }

        var overflow = Task.Run(() => buffer.Add(new MetricEntry(new Metric { Key = "m", Value = 11, Timestamp = 1 })),
            TestContext.Current.CancellationToken);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.False(overflow.IsCompleted);

        release.SetResult();
        await overflow;
        await buffer.CompleteAsync(TestContext.Current.CancellationToken);
        Assert.Equal(12, _sent.SelectMany(b => b.Metrics!).Count());
    }

    [Fact]
    public async Task Logging_after_completion_is_refused()
    {
        var buffer = new RunLogBuffer("run", Record, capacity: 10);
        await buffer.CompleteAsync(TestContext.Current.CancellationToken);

        Assert.Throws<InvalidOperationException>(() => buffer.Add(new TagEntry(new RunTag("a", "1"))));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (condition())
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail("The condition never became true.");
    }
}
