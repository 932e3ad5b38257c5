using BenchmarkDotNet.Attributes;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking.Search;

namespace Flightdeck.Benchmarks;

/// <summary>Parsing and compiling the search benchmark's filter and order_by to SQL.</summary>
public class SearchCompileBenchmarks
{
    private static readonly string[] OrderBy = ["metrics.m1 DESC"];

    [Benchmark]
    public int CompileHeadlineQuery() =>
        RunSearch.Compile("metrics.m0 > 0.5 and params.p0 = 'v3'", OrderBy, SqlDialect.Sqlite).Where.Length;
}
