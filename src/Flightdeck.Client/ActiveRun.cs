using Flightdeck.Client.Runs;
using Flightdeck.Contracts;

namespace Flightdeck.Client;

/// <summary>
/// A run being logged to, from <see cref="FlightdeckClient.StartRunAsync"/> or <see cref="FlightdeckClient.RunAsync"/>.
/// <see cref="LogMetric"/>, <see cref="LogParam"/> and <see cref="SetTag"/> only queue; a background sender posts them in
/// log-batch chunks, so a training loop never waits on the network (unless the server falls
/// <see cref="FlightdeckClient.RunBufferCapacity"/> entries behind). A failed background send is rethrown by the next call.
/// Disposing flushes and ends the run: FINISHED, or FAILED (KILLED for a cancellation) when the scope is left by an exception.
/// </summary>
public sealed class ActiveRun : IAsyncDisposable
{
    /// <summary>The tag MLflow uses to say how a run used a dataset ("training", "evaluation"...).</summary>
    public const string DatasetContextTag = "mlflow.data.context";

    private readonly RunLogBuffer _buffer;
    private readonly ScopeExceptionMonitor? _monitor;
    private int _ending;

    internal ActiveRun(FlightdeckClient client, Run run, ScopeExceptionMonitor? monitor)
    {
        Client = client;
        Info = run.Info;
        _monitor = monitor;
        _buffer = new RunLogBuffer(run.Info.RunId, (batch, ct) => client.LogBatchAsync(batch, ct), client.RunBufferCapacity);
        _monitor?.MarkUsed();
    }

    /// <summary>The client the run was started from, for calls beyond logging (registering a model from this run).</summary>
    public FlightdeckClient Client { get; }

    /// <summary>The run as it was created.</summary>
    public RunInfo Info { get; }

    /// <summary>The run's id.</summary>
    public string RunId => Info.RunId;

    /// <summary>The id of the run's experiment.</summary>
    public string ExperimentId => Info.ExperimentId;

    /// <summary>Where the run's artifacts live, e.g. <c>mlflow-artifacts:/1/&lt;run&gt;/artifacts</c>.</summary>
    public string ArtifactUri => Info.ArtifactUri;

    /// <summary>The status the run was ended with, or null while it runs.</summary>
    public RunStatus? EndStatus { get; private set; }

    /// <summary>Log-batch requests sent so far.</summary>
    public int BatchesSent => _buffer.BatchesSent;

    /// <summary>Queues a param (write-once on the server: a different value for the same key fails).</summary>
    public void LogParam(string key, string value) => Enqueue(new ParamEntry(new Param(key, value)));

    /// <summary>Queues a metric point; <paramref name="timestamp"/> (ms since the epoch) defaults to now, <paramref name="step"/> to 0.</summary>
    public void LogMetric(string key, double value, long? step = null, long? timestamp = null) =>
        Enqueue(new MetricEntry(new Metric
        {
            Key = key,
            Value = value,
            Step = step ?? 0,
            Timestamp = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        }));

    /// <summary>Queues several metric points of one step, sharing one timestamp.</summary>
    public void LogMetrics(IEnumerable<KeyValuePair<string, double>> metrics, long? step = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var (key, value) in metrics)
        {
            LogMetric(key, value, step, now);
        }
    }

    /// <summary>Queues a tag (the last value wins).</summary>
    public void SetTag(string key, string value) => Enqueue(new TagEntry(new RunTag(key, value)));

    /// <summary>Waits until everything logged so far has reached the server; throws if a background send failed.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        _monitor?.MarkUsed();
        await _buffer.FlushAsync(cancellationToken);
        _monitor?.MarkUsed();
    }

    /// <summary>Uploads a local file (to <c>artifactPath/&lt;name&gt;</c>) or directory (its contents under <paramref name="artifactPath"/>).</summary>
    public async Task LogArtifactAsync(
        string localPath, string? artifactPath = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        _monitor?.MarkUsed();
        _buffer.ThrowIfFailed();
        await Client.UploadArtifactAsync(ArtifactUri, localPath, artifactPath, progress, cancellationToken);
        _monitor?.MarkUsed();
    }

    /// <summary>Records that the run used a dataset, in a <paramref name="context"/> such as "training" or "evaluation".</summary>
    public async Task LogInputAsync(
        Dataset dataset, string? context = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        _monitor?.MarkUsed();
        _buffer.ThrowIfFailed();
        var inputTags = (tags ?? new Dictionary<string, string>()).Select(t => new InputTag(t.Key, t.Value)).ToList();
        if (context is not null)
        {
            inputTags.Add(new InputTag(DatasetContextTag, context));
        }

        var input = new DatasetInput { Dataset = dataset, Tags = inputTags };
        await Client.LogInputsAsync(new LogInputsRequest { RunId = RunId, Datasets = [input] }, cancellationToken);
        _monitor?.MarkUsed();
    }

    /// <summary>Records that the run used a dataset; <paramref name="schema"/> and <paramref name="profile"/> are JSON text.</summary>
    public Task LogInputAsync(
        string name, string digest, string source, string sourceType = "local", string? schema = null, string? profile = null,
        string? context = null, CancellationToken cancellationToken = default) =>
        LogInputAsync(new Dataset { Name = name, Digest = digest, Source = source, SourceType = sourceType, Schema = schema, Profile = profile },
            context, cancellationToken: cancellationToken);

    /// <summary>
    /// Sends what is queued, stops the background sender and marks the run terminated with <paramref name="status"/>.
    /// Later calls are no-ops. Throws a background send failure after the run has been ended.
    /// </summary>
    public async Task EndAsync(RunStatus status = RunStatus.Finished, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _ending, 1) == 1)
        {
            return;
        }

        _monitor?.MarkUsed();
        Exception? sendFailure = null;
        try
        {
            await _buffer.CompleteAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            sendFailure = ex;
        }

        await Client.SetTerminatedAsync(RunId, status, cancellationToken);
        EndStatus = status;
        _monitor?.MarkUsed();
        if (sendFailure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(sendFailure);
        }
    }

    /// <summary>
    /// Flushes and ends the run if it is still running: FINISHED, or FAILED/KILLED when the scope appears to be left by an
    /// exception. When the scope failed, errors of ending are swallowed so they do not replace the scope's own exception.
    /// For a status that is always right, use <see cref="FlightdeckClient.RunAsync"/> or call <see cref="EndAsync"/>.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        // Read and leave the monitor here, synchronously, in the scope's own execution context.
        var escaped = _monitor?.LastUnhandled;
        _monitor?.Exit();
        return new ValueTask(DisposeCoreAsync(escaped));
    }

    internal static RunStatus StatusFor(Exception? exception) => exception switch
    {
        null => RunStatus.Finished,
        OperationCanceledException => RunStatus.Killed,
        _ => RunStatus.Failed,
    };

    /// <summary>Ends the run after the scope's code failed, keeping that failure the one the caller sees.</summary>
    internal async Task EndAfterFailureAsync(Exception failure)
    {
        try
        {
            await EndAsync(StatusFor(failure), CancellationToken.None);
        }
        catch (Exception)
        {
            // The scope's own exception is the one to report; the run's end is best effort here.
        }
    }

    private async Task DisposeCoreAsync(Exception? escaped)
    {
        if (Volatile.Read(ref _ending) == 1)
        {
            return;
        }

        if (escaped is not null)
        {
            await EndAfterFailureAsync(escaped);
        }
        else
        {
            await EndAsync(RunStatus.Finished, CancellationToken.None);
        }
    }

    private void Enqueue(LogEntry entry)
    {
        _monitor?.MarkUsed();
        if (Volatile.Read(ref _ending) == 1)
        {
            throw new InvalidOperationException($"Run {RunId} has ended; nothing more can be logged to it.");
        }

        _buffer.Add(entry);
    }
}
