using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Flightdeck.Contracts;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Benchmarks;

/// <summary>The CPU side of a log-batch request before any SQL: System.Text.Json into the DTO, then validation.</summary>
public class LogBatchParsingBenchmarks
{
    private byte[] _body = [];
    private LogBatchRequest _request = new();

    [Params(10, 1000)]
    public int Metrics { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = LogBatchBodies.Create("0123456789abcdef0123456789abcdef", Metrics);
        _request = Parse();
    }

    [Benchmark]
    public LogBatchRequest Parse() => JsonSerializer.Deserialize(_body, FlightdeckJsonContext.Default.LogBatchRequest)!;

    [Benchmark]
    public int Validate() => RunLogWriter.Validate(_request.Metrics, _request.Params, _request.Tags).Metrics.Count;
}
