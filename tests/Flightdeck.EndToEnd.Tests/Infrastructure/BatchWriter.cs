using System.Net;

namespace Flightdeck.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One client logging batches to its run as fast as the server takes them. Every batch carries fresh metric steps and
/// a fresh param, and is never resent, so the store may only hold what was sent and must hold what was acknowledged.
/// </summary>
public sealed class BatchWriter(string runId, Func<Mlflow> server)
{
    public const int PointsPerBatch = 20;
    public const string MetricKey = "loss";

    private readonly object _gate = new();
    private long _nextBatch;

    public string RunId => runId;

    public int AcknowledgedCount
    {
        get
        {
            lock (_gate)
            {
                return Acknowledged.Count;
            }
        }
    }

    /// <summary>Batches the server answered 200 to.</summary>
    public HashSet<long> Acknowledged { get; } = [];

    /// <summary>Batches that were sent, answered or not.</summary>
    public HashSet<long> Sent { get; } = [];

    public List<string> ServerErrors { get; } = [];

    /// <summary>Requests cut off by a kill: proof that the kills landed mid-ingest.</summary>
    public int Interrupted { get; private set; }

    public static IEnumerable<long> StepsOf(long batch) => Enumerable.Range(0, PointsPerBatch).Select(i => batch * PointsPerBatch + i);

    public static string ParamKey(long batch) => $"p{batch}";

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            long batch;
            lock (_gate)
            {
                batch = _nextBatch++;
                Sent.Add(batch);
            }

            var body = new
            {
                run_id = runId,
                metrics = StepsOf(batch).Select(step => new { key = MetricKey, value = (double)step, timestamp = 1_000 + step, step }),
                @params = new[] { new { key = ParamKey(batch), value = batch.ToString(System.Globalization.CultureInfo.InvariantCulture) } },
                tags = new[] { new { key = "last_batch", value = batch.ToString(System.Globalization.CultureInfo.InvariantCulture) } },
            };
            try
            {
                var (status, json) = await server().PostAsync("runs/log-batch", body, CancellationToken.None);
                lock (_gate)
                {
                    if (status == HttpStatusCode.OK)
                    {
                        Acknowledged.Add(batch);
                    }
                    else if ((int)status >= 500 || status == HttpStatusCode.BadRequest)
                    {
                        ServerErrors.Add($"batch {batch}: {(int)status} {json}");
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                // The server is down (killed); try again with the next batch once it is back.
                lock (_gate)
                {
                    Interrupted++;
                }

                await Task.Delay(20, CancellationToken.None);
            }
        }
    }
}
