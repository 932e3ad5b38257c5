using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Flightdeck.Models;
using Flightdeck.Server.Monitoring;
using Flightdeck.Server.Storage;
using Flightdeck.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flightdeck.Bench.Serving;

/// <summary>
/// The CPU one logged inference costs, apart from HTTP and the model: `Flightdeck.Bench.Serving logcost [SECONDS]` makes
/// the records a request of the `mlnet` bench model makes (a parsed 5-column row in, 3 columns out), paced at 16,000 a
/// second as the batched bench serves them, once with nobody logging them and once through an
/// <see cref="InferenceLogger"/> to each sink; the difference in process CPU per record is the log's cost, request path,
/// writer thread and the extra garbage collection together. Pacing matters: the writer then wakes once per flush interval
/// as it does under load, instead of finding a full queue every time.
/// </summary>
internal static class LogCost
{
    private const int PerSecond = 16_000;

    private const int Rounds = 7;

    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        """{"dataframe_split":{"columns":["F1","F2","F3","Age","Region"],"data":[[0.010,0.700,-0.357,21,"south"]]}}""");

    public static async Task RunAsync(int seconds)
    {
        var root = Directory.CreateTempSubdirectory("flightdeck-bench-logcost-").FullName;
        try
        {
            Console.WriteLine($"logcost: {PerSecond:N0} records/s for {seconds} s each; µs of process CPU per record, " +
                "KB allocated per record, gen0/gen1/gen2 collections");
            var none = Measure("no log", null, seconds);
            Report(none, Measure("no sink", new NoSink(), seconds));
            await using (var jsonl = new JsonLinesInferenceLogSink(Path.Combine(root, "jsonl")))
                Report(none, Measure("JSON Lines", jsonl, seconds));
            await using var database = new Database(BackendStoreUri.Parse("sqlite:///" + Path.Combine(root, "log.db").TrimStart('/')));
            await new Migrator(database).UpgradeAsync(CancellationToken.None);
            Report(none, Measure("SQLite", new DatabaseInferenceLogSink(database), seconds));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Report(Result none, Result logged)
    {
        var extra = (logged.Cpu / logged.Records - none.Cpu / none.Records).TotalMicroseconds;
        Console.WriteLine($"  {logged.Label,-10}: {logged.Cpu.TotalMicroseconds / logged.Records,6:F2} µs/record " +
            $"(+{extra:F2} over no log), {logged.Allocated / 1024.0 / logged.Records:F2} KB/record, GCs {logged.Gen0}/{logged.Gen1}/{logged.Gen2}; " +
            $"apart (min / median of {Rounds}): hand-over {logged.HandOver.Min:F2} / {logged.HandOver.Median:F2} µs, " +
            $"writer {logged.Writer.Min:F2} / {logged.Writer.Median:F2} µs per record");
    }

    private sealed record Result(string Label, long Records, TimeSpan Cpu, long Allocated, int Gen0, int Gen1, int Gen2)
    {
        /// <summary>µs per record on the request's thread, min and median of the rounds.</summary>
        public (double Min, double Median) HandOver { get; init; }

        /// <summary>µs per record on the writer's thread, min and median of the rounds.</summary>
        public (double Min, double Median) Writer { get; init; }
    }

    private static Result Measure(string label, IInferenceLogSink? sink, int seconds)
    {
        var schema = Schema();
        var logger = sink is null ? null : new InferenceLogger(sink, new InferenceLogOptions(), NullLogger<InferenceLogger>.Instance);
        Run(logger, schema, 1); // warm-up: JIT, tiering
        GC.Collect();
        var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var records = Run(logger, schema, seconds);
        logger?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        var result = new Result(label, records, Process.GetCurrentProcess().TotalProcessorTime - cpu,
            GC.GetTotalAllocatedBytes(precise: true) - allocated,
            GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2);
        if (sink is null)
        {
            Console.WriteLine($"  {label,-10}: {result.Cpu.TotalMicroseconds / records,6:F2} µs/record, " +
                $"{result.Allocated / 1024.0 / records:F2} KB/record, GCs {result.Gen0}/{result.Gen1}/{result.Gen2}");
            return result;
        }
        // The two halves apart, unpaced: records made beforehand, handed over with the writer held back (a long flush
        // interval), then written out in one go while this thread waits. Repeated, because on a busy machine the
        // smallest of several is the closest to the uncontended cost.
        var handOver = new List<double>();
        var writer = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            var made = Enumerable.Range(0, 20_000).Select(n => NewRecord(n, schema)).ToList();
            GC.Collect();
            var apart = new InferenceLogger(sink, new InferenceLogOptions { Capacity = made.Count, FlushInterval = TimeSpan.FromMinutes(1) },
                NullLogger<InferenceLogger>.Instance);
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            foreach (var record in made)
                apart.OnInference(record);
            var handedOver = Process.GetCurrentProcess().TotalProcessorTime;
            apart.DisposeAsync().AsTask().GetAwaiter().GetResult();
            var written = Process.GetCurrentProcess().TotalProcessorTime;
            handOver.Add((handedOver - before).TotalMicroseconds / made.Count);
            writer.Add((written - handedOver).TotalMicroseconds / made.Count);
        }
        handOver.Sort();
        writer.Sort();
        return result with { HandOver = (handOver[0], handOver[Rounds / 2]), Writer = (writer[0], writer[Rounds / 2]) };
    }

    /// <summary>Makes and reports <see cref="PerSecond"/> records a second, in ticks of 10 ms.</summary>
    private static long Run(InferenceLogger? logger, ModelSchema schema, int seconds)
    {
        const int PerTick = PerSecond / 100;
        var started = Stopwatch.GetTimestamp();
        long records = 0;
        for (var tick = 0; tick < seconds * 100; tick++)
        {
            for (var i = 0; i < PerTick; i++, records++)
            {
                var record = NewRecord(records, schema);
                logger?.OnInference(record);
            }
            var due = TimeSpan.FromMilliseconds(10 * (tick + 1)) - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
                Thread.Sleep(due);
        }
        return records;
    }

    private static InferenceRecord NewRecord(long n, ModelSchema schema)
    {
        using var document = JsonDocument.Parse(Body);
        var input = DataBatch.FromSplitJson(document.RootElement.GetProperty("dataframe_split"), schema);
        var output = new DataBatch(
            BatchColumn.FromBooleans("PredictedLabel", [n % 2 == 0]),
            BatchColumn.FromSingles("Score", [(float)(n % 1000) / 37f]),
            BatchColumn.FromSingles("Probability", [(float)(n % 1000) / 1000f]));
        return new InferenceRecord
        {
            RequestId = Guid.NewGuid().ToString("N"),
            ModelName = "batched",
            Version = "1",
            Input = input,
            Output = output,
            StatusCode = 200,
            Latency = TimeSpan.FromMicroseconds(2900),
            Timestamp = DateTimeOffset.UtcNow,
        };
    }

    private static ModelSchema Schema() => ModelSchema.ForColumns([
        new("F1", ColumnType.Float), new("F2", ColumnType.Float), new("F3", ColumnType.Float),
        new("Age", ColumnType.Integer), new("Region", ColumnType.String)]);

    /// <summary>Takes the batches and stores nothing: what the logger costs before any sink.</summary>
    private sealed class NoSink : IInferenceLogSink
    {
        public Task WriteAsync(IReadOnlyList<InferenceLogEntry> entries, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
