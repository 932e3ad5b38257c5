using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Flightdeck.Contracts;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Benchmarks;

/// <summary>
/// One log-batch transaction as the server runs it (RunLogWriter.LogBatchAsync, no HTTP), and opening a pooled
/// connection alone, to split an end-to-end request into its store part and the rest.
/// </summary>
public class StoreWriteBenchmarks
{
    private BenchStore? _store;
    private RunLogWriter? _writer;
    private List<RunLogWriter.MetricPoint> _points = [];

    [Params("sqlite", "postgres")]
    public string Store { get; set; } = "sqlite";

    [Params(10, 1000)]
    public int Metrics { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _store = await BenchStore.CreateAsync(Store);
        _writer = new RunLogWriter(_store.Database);
        var request = JsonSerializer.Deserialize(LogBatchBodies.Create(_store.RunId, Metrics), FlightdeckJsonContext.Default.LogBatchRequest)!;
        _points = RunLogWriter.Validate(request.Metrics, null, null).Metrics;
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _store!.DisposeAsync();

    [Benchmark]
    public Task LogBatch() => _writer!.LogBatchAsync(_store!.RunId, _points, [], [], CancellationToken.None);

    [Benchmark]
    public async Task OpenConnection()
    {
        await using var connection = await _store!.Database.OpenAsync(CancellationToken.None);
    }
}
