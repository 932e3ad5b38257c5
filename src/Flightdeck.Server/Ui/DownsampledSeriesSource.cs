using System.Data.Common;

namespace Flightdeck.Server.Ui;

/// <summary>
/// Downsampled series for charts, from the cache when the store says the metric is unchanged, otherwise read and
/// downsampled (and cached): from the series' blocks where they can answer (<see cref="BlockSeriesReader"/>), else from
/// every row. A whole run's metrics are read several at a time, each on its own connection.
/// </summary>
internal sealed class DownsampledSeriesSource(MetricSeriesReader reader, DownsampledSeriesCache cache, MetricBlockSummarizer summarizer)
{
    private readonly BlockSeriesReader _blocks = new(summarizer);

    private static readonly int Parallelism = Math.Clamp(Environment.ProcessorCount, 1, 4);

    private bool Sqlite => reader.Database.IsSqlite;

    public DownsampledSeriesCache Cache => cache;

    public async Task<DownsampledSeries> GetAsync(string runId, string key, int points, long? minStep, long? maxStep, CancellationToken ct)
    {
        await using var connection = await reader.Database.OpenAsync(ct);
        await MetricSeriesReader.EnsureRunAsync(connection, runId, ct);
        var version = await MetricSeriesReader.VersionAsync(connection, Sqlite, runId, key, ct);
        var request = new SeriesRequest(runId, key, points, minStep, maxStep);
        return cache.TryGet(request, version, out var hit) ? hit : await ReadAsync(connection, request, version, ct);
    }

    /// <summary>
    /// Every metric of a run over its whole step range, as tasks in ordinal key order so the caller can send each as
    /// soon as it and those before it are done. Throws at once (not in a task) for an unknown run.
    /// </summary>
    public async Task<List<Task<DownsampledSeries>>> GetRunAsync(string runId, int points, CancellationToken ct)
    {
        List<(string Key, SeriesVersion Version)> keys;
        await using (var connection = await reader.Database.OpenAsync(ct))
        {
            await MetricSeriesReader.EnsureRunAsync(connection, runId, ct);
            keys = await MetricSeriesReader.KeysAsync(connection, Sqlite, runId, ct);
        }

        var gate = new SemaphoreSlim(Parallelism);
        return [.. keys.Select(k =>
        {
            var request = new SeriesRequest(runId, k.Key, points, null, null);
            return cache.TryGet(request, k.Version, out var hit) ? Task.FromResult(hit) : ReadGatedAsync(request, k.Version, gate, ct);
        })];
    }

    private async Task<DownsampledSeries> ReadGatedAsync(SeriesRequest request, SeriesVersion version, SemaphoreSlim gate, CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            // Off the request's thread, so that several metrics are read at once.
            await Task.Yield();
            await using var connection = await reader.Database.OpenAsync(ct);
            return await ReadAsync(connection, request, version, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary><paramref name="version"/> must have been read before the points, so a cached entry is never newer than its tag.</summary>
    private async Task<DownsampledSeries> ReadAsync(DbConnection connection, SeriesRequest request, SeriesVersion version, CancellationToken ct)
    {
        if (await _blocks.TryReadAsync(connection, Sqlite, request, version, ct) is not { } downsampled)
        {
            var series = await MetricSeriesReader.ReadPointsAsync(connection, request.RunId, request.Key, request.MinStep, request.MaxStep, ct);
            downsampled = DownsampledSeries.Of(request.Key, series, request.Points);
            if (request.MinStep is null && request.MaxStep is null && series.Count + series.NonFinite >= MetricBlockSummarizer.TailThreshold)
            {
                // A long series read whole: its blocks (or the ones it lacks) are brought up to date for the next first view.
                summarizer.Enqueue(request.RunId, request.Key);
            }
        }

        cache.Put(request, version, downsampled);
        return downsampled;
    }
}
