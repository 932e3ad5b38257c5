using System.Collections.Concurrent;
using Flightdeck.Serving;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Ui;

/// <summary>
/// Per-second request, error and latency counts of each endpoint version over the last <see cref="WindowSeconds"/>, kept
/// in memory for the endpoint page's live charts. It observes the same inference hook as the guardrails, only counts
/// (O(1) per request), and forgets on restart: it is a view, not a record.
/// </summary>
internal sealed class EndpointTrafficRecorder : IInferenceObserver
{
    public const int WindowSeconds = 600;

    private readonly ConcurrentDictionary<(string Endpoint, string Version), VersionWindow> _windows = new();
    private readonly TimeProvider _time;

    public EndpointTrafficRecorder(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    public long NowSeconds => _time.GetUtcNow().ToUnixTimeSeconds();

    public void OnInference(InferenceRecord record)
    {
        // Mirrored shadow answers reach nobody, so they are not the endpoint's traffic.
        if (record.Endpoint is null || record.Role == "SHADOW")
        {
            return;
        }

        var window = _windows.GetOrAdd((record.Endpoint, record.Version), _ => new VersionWindow());
        window.Add(record.Timestamp.ToUnixTimeSeconds(), record.Failed, record.Latency.TotalMilliseconds);
    }

    /// <summary>The versions of <paramref name="endpoint"/> seen, each with its seconds from <paramref name="from"/> on.</summary>
    public IReadOnlyList<(string Version, IReadOnlyList<SecondCounts> Seconds)> Read(string endpoint, long from) =>
        [.. _windows.Where(w => w.Key.Endpoint == endpoint).OrderBy(w => w.Key.Version, StringComparer.Ordinal)
            .Select(w => (w.Key.Version, w.Value.Read(from)))];

    public static void Register(IServiceCollection services)
    {
        services.AddSingleton<EndpointTrafficRecorder>();
        services.AddSingleton<IInferenceObserver>(provider => provider.GetRequiredService<EndpointTrafficRecorder>());
    }

    private sealed class VersionWindow
    {
        /// <summary>Latencies kept per second for its p99; beyond this the second's p99 comes from its first ones.</summary>
        private const int LatencySamples = 512;

        private readonly Bucket[] _ring = new Bucket[WindowSeconds];

        public void Add(long second, bool failed, double latencyMs)
        {
            var bucket = _ring[(int)(second % WindowSeconds)] ??= new Bucket();
            lock (bucket)
            {
                if (bucket.Second != second)
                {
                    bucket.Reset(second);
                }

                bucket.Requests++;
                if (failed)
                {
                    bucket.Errors++;
                }

                if (bucket.Latencies.Count < LatencySamples)
                {
                    bucket.Latencies.Add(latencyMs);
                }
            }
        }

        public IReadOnlyList<SecondCounts> Read(long from)
        {
            var seconds = new List<SecondCounts>();
            foreach (var bucket in _ring)
            {
                if (bucket is null)
                {
                    continue;
                }

                lock (bucket)
                {
                    if (bucket.Second >= from && bucket.Requests > 0)
                    {
                        seconds.Add(new SecondCounts(bucket.Second, bucket.Requests, bucket.Errors, P99(bucket.Latencies)));
                    }
                }
            }

            seconds.Sort((a, b) => a.Second.CompareTo(b.Second));
            return seconds;
        }

        private static double P99(List<double> latencies)
        {
            var sorted = latencies.ToArray();
            Array.Sort(sorted);
            return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * 0.99) - 1)];
        }
    }

    private sealed class Bucket
    {
        public long Second { get; private set; } = -1;

        public long Requests { get; set; }

        public long Errors { get; set; }

        public List<double> Latencies { get; } = [];

        public void Reset(long second)
        {
            Second = second;
            Requests = 0;
            Errors = 0;
            Latencies.Clear();
        }
    }
}

internal sealed record SecondCounts(long Second, long Requests, long Errors, double P99LatencyMs);
