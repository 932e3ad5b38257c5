using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Flightdeck.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flightdeck.Serving.Tests.Observability;

public sealed class InferenceLoggerTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sampling_keeps_about_the_configured_share(bool deterministic)
    {
        var sink = new CollectingSink();
        var logger = NewLogger(sink, new InferenceLogOptions { SampleRate = _ => 0.25, DeterministicSampling = deterministic, Capacity = 50_000 });

        for (var i = 0; i < 20_000; i++)
            logger.OnInference(Record(Guid.NewGuid().ToString("N")));
        await logger.StopAsync(Cancel);

        Assert.InRange(sink.Entries.Count, 4_400, 5_600);
        Assert.Equal(0, logger.Dropped);
    }

    [Fact]
    public async Task Deterministic_sampling_decides_alike_for_the_same_request_id_and_per_endpoint()
    {
        var first = new CollectingSink();
        var second = new CollectingSink();
        var options = new InferenceLogOptions { SampleRate = endpoint => endpoint == "off" ? 0 : 0.5 };
        var a = NewLogger(first, options);
        var b = NewLogger(second, options);
        var ids = Enumerable.Range(0, 2_000).Select(i => $"req-{i}").ToList();

        foreach (var id in ids)
        {
            a.OnInference(Record(id));
            b.OnInference(Record(id));
            b.OnInference(Record(id) with { Endpoint = "off" });
        }
        await a.StopAsync(Cancel);
        await b.StopAsync(Cancel);

        Assert.InRange(first.Entries.Count, 850, 1_150);
        Assert.Equal(first.Entries.Select(e => e.RequestId), second.Entries.Select(e => e.RequestId));
        Assert.DoesNotContain(second.Entries, e => e.Endpoint == "off");
    }

    [Fact]
    public async Task A_full_queue_drops_and_counts_instead_of_blocking()
    {
        // Given a sink that does not return until the test lets it, and room for ten records
        var sink = new CollectingSink { Gate = new TaskCompletionSource() };
        var logger = NewLogger(sink, new InferenceLogOptions { Capacity = 10, MaxBatch = 1 });
        long droppedMetric = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Flightdeck.Serving" && instrument.Name == "flightdeck.serving.inference_log.dropped")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref droppedMetric, value));
        listener.Start();

        // When a thousand inferences arrive
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 1_000; i++)
            logger.OnInference(Record($"r{i}"));
        var elapsed = watch.Elapsed;
        var dropped = logger.Dropped;
        sink.Gate.SetResult();
        await logger.StopAsync(Cancel);

        // Then the caller never waited, at most the queue and the one batch in the sink were kept, and the rest were counted
        Assert.True(elapsed < TimeSpan.FromSeconds(2), elapsed.ToString());
        Assert.InRange(dropped, 1_000 - 11, 1_000 - 10);
        Assert.Equal(1_000 - dropped, sink.Entries.Count);
        Assert.Equal(1_000 - dropped, logger.Written);
        Assert.True(Interlocked.Read(ref droppedMetric) >= dropped);
    }

    [Fact]
    public async Task Stopping_writes_out_everything_queued_in_order()
    {
        var sink = new CollectingSink { Delay = TimeSpan.FromMilliseconds(5) };
        var logger = NewLogger(sink, new InferenceLogOptions { MaxBatch = 7 });

        for (var i = 0; i < 300; i++)
            logger.OnInference(Record($"r{i}"));
        await logger.StopAsync(Cancel);

        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"r{i}"), sink.Entries.Select(e => e.RequestId));
        Assert.True(sink.Batches.All(count => count <= 7));
        Assert.Equal(0, logger.Queued);
    }

    [Fact]
    public async Task Records_arriving_together_are_written_in_few_batches_not_one_write_each()
    {
        var sink = new CollectingSink();
        var logger = NewLogger(sink, new InferenceLogOptions { FlushInterval = TimeSpan.FromMilliseconds(300) });

        // Two hundred records arrive one by one within the writer's interval
        for (var i = 0; i < 200; i++)
            logger.OnInference(Record($"r{i}"));
        for (var i = 0; i < 200 && logger.Written < 200; i++)
            await Task.Delay(10, Cancel);

        Assert.Equal(200, logger.Written);
        Assert.InRange(sink.Batches.Count, 1, 2); // the first record may wake the writer alone
        await logger.StopAsync(Cancel);
    }

    [Fact]
    public async Task Stopping_does_not_wait_out_the_flush_interval()
    {
        var sink = new CollectingSink();
        var logger = NewLogger(sink, new InferenceLogOptions { FlushInterval = TimeSpan.FromMinutes(1) });
        for (var i = 0; i < 50; i++)
            logger.OnInference(Record($"r{i}"));
        await Task.Delay(50, Cancel); // the writer is now waiting for more

        var watch = Stopwatch.StartNew();
        await logger.StopAsync(Cancel);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), watch.Elapsed.ToString());
        Assert.Equal(50, sink.Entries.Count);
    }

    [Fact]
    public async Task Entries_carry_the_record_with_inputs_and_outputs_as_json_records()
    {
        var sink = new CollectingSink();
        var logger = NewLogger(sink, new InferenceLogOptions { MaxRowsPerRecord = 2 });
        var time = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);

        logger.OnInference(Record("ok") with
        {
            Endpoint = "churn",
            Role = "SHADOW",
            Input = new DataBatch(BatchColumn.FromSingles("x", [1.5f, 2.5f, 3.5f]), BatchColumn.FromStrings("s", ["a", "b", "c"])),
            Output = new DataBatch(BatchColumn.FromSingles("Score", [0.25f, 0.5f, 0.75f])),
            Latency = TimeSpan.FromMicroseconds(1234),
            Timestamp = time,
        });
        logger.OnInference(Record("failed") with { StatusCode = 500, Error = "boom", Output = null });
        await logger.StopAsync(Cancel);

        var ok = sink.Entries[0];
        Assert.Equal(("ok", "churn", "clf", "1", "SHADOW", 200, 1234L, 1_700_000_000_123L),
            (ok.RequestId, ok.Endpoint, ok.ModelName, ok.Version, ok.Role, ok.Status, ok.LatencyUs, ok.Time));
        Assert.Equal("""[{"x":1.5,"s":"a"},{"x":2.5,"s":"b"}]""", JsonSerializer.Serialize(JsonDocument.Parse(ok.InputsJson).RootElement));
        Assert.Equal("""[{"Score":0.25},{"Score":0.5}]""", JsonSerializer.Serialize(JsonDocument.Parse(ok.OutputsJson!).RootElement));
        var failed = sink.Entries[1];
        Assert.Equal((500, "boom", (string?)null), (failed.Status, failed.Error, failed.OutputsJson));
    }

    [Fact]
    public async Task A_failing_sink_counts_the_lost_records_and_the_logger_goes_on()
    {
        var sink = new CollectingSink { FailNext = 1 };
        var logger = NewLogger(sink, new InferenceLogOptions { MaxBatch = 1 });

        logger.OnInference(Record("lost"));
        for (var i = 0; i < 100 && logger.Failed == 0; i++)
            await Task.Delay(10, Cancel);
        logger.OnInference(Record("kept"));
        await logger.StopAsync(Cancel);

        Assert.Equal(1, logger.Failed);
        Assert.Equal(["kept"], sink.Entries.Select(e => e.RequestId));
    }

    internal static InferenceRecord Record(string requestId) => new()
    {
        RequestId = requestId,
        ModelName = "clf",
        Version = "1",
        Input = new DataBatch(BatchColumn.FromSingles("x", [1f])),
        Output = new DataBatch(BatchColumn.FromSingles("Score", [0.5f])),
        StatusCode = 200,
        Latency = TimeSpan.FromMilliseconds(1),
        Timestamp = DateTimeOffset.UtcNow,
    };

    private static InferenceLogger NewLogger(IInferenceLogSink sink, InferenceLogOptions options) =>
        new(sink, options, NullLogger<InferenceLogger>.Instance);

    /// <summary>An entry as the sink saw it, its JSON copied into strings.</summary>
    private sealed record LoggedEntry(string RequestId, string? Endpoint, string ModelName, string Version, string Role, string InputsJson,
        string? OutputsJson, int Status, string? Error, long LatencyUs, long Time)
    {
        public static LoggedEntry Of(InferenceLogEntry e) => new(e.RequestId, e.Endpoint, e.ModelName, e.Version, e.Role,
            Encoding.UTF8.GetString(e.InputsJson.Span), e.OutputsJson is { } o ? Encoding.UTF8.GetString(o.Span) : null, e.Status, e.Error,
            e.LatencyUs, e.Time);
    }

    private sealed class CollectingSink : IInferenceLogSink
    {
        private readonly List<LoggedEntry> _entries = [];
        private readonly List<int> _batches = [];

        public TaskCompletionSource? Gate { get; init; }

        public TimeSpan Delay { get; init; }

        public int FailNext { get; set; }

        public List<LoggedEntry> Entries
        {
            get
            {
                lock (_entries)
                    return [.. _entries];
            }
        }

        public List<int> Batches
        {
            get
            {
                lock (_entries)
                    return [.. _batches];
            }
        }

        public async Task WriteAsync(IReadOnlyList<InferenceLogEntry> entries, CancellationToken cancellationToken)
        {
            if (Gate is not null)
                await Gate.Task;
            if (Delay > TimeSpan.Zero)
                await Task.Delay(Delay, cancellationToken);
            if (FailNext > 0)
            {
                FailNext--;
                throw new IOException("disk full");
            }
            lock (_entries)
            {
                _entries.AddRange(entries.Select(LoggedEntry.Of)); // Their JSON is only valid during the call.
                _batches.Add(entries.Count);
            }
        }
    }
}
