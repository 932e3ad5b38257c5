using System.Reflection;
using Flightdeck.Client.Runs;
using Flightdeck.Contracts;

namespace Flightdeck.Client;

public sealed partial class FlightdeckClient
{
    /// <summary>
    /// Starts a run in the named experiment (created if missing) and returns its scope:
    /// <code>await using var run = await client.StartRunAsync("my-experiment");</code>
    /// Disposing the scope flushes and ends the run (see <see cref="ActiveRun.DisposeAsync"/> for how the status is chosen).
    /// </summary>
    public Task<ActiveRun> StartRunAsync(
        string experimentName, string? runName = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        // Not async on purpose: the monitor must be entered in the caller's execution context (see ScopeExceptionMonitor).
        var monitor = ScopeExceptionMonitor.Enter();
        return StartMonitoredRunAsync(experimentName, runName, tags, monitor, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a new run of the named experiment and ends the run FINISHED when it completes,
    /// FAILED when it throws, or KILLED when it is cancelled; the exception is rethrown.
    /// </summary>
    public async Task RunAsync(
        string experimentName, Func<ActiveRun, Task> body, string? runName = null, IReadOnlyDictionary<string, string>? tags = null,
        CancellationToken cancellationToken = default) =>
        await RunAsync<bool>(experimentName, async run =>
        {
            await body(run);
            return true;
        }, runName, tags, cancellationToken);

    /// <summary>As <see cref="RunAsync(string, Func{ActiveRun, Task}, string?, IReadOnlyDictionary{string, string}?, CancellationToken)"/>, returning the body's result.</summary>
    public async Task<T> RunAsync<T>(
        string experimentName, Func<ActiveRun, Task<T>> body, string? runName = null, IReadOnlyDictionary<string, string>? tags = null,
        CancellationToken cancellationToken = default)
    {
        var run = await StartRunCoreAsync(experimentName, runName, tags, monitor: null, cancellationToken);
        T result;
        try
        {
            result = await body(run);
        }
        catch (Exception ex)
        {
            await run.EndAfterFailureAsync(ex);
            throw;
        }

        await run.EndAsync(RunStatus.Finished, cancellationToken);
        return result;
    }

    /// <summary>The id of the active experiment with this name, creating it if there is none.</summary>
    public async Task<string> GetOrCreateExperimentAsync(string experimentName, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var found = (await GetExperimentByNameAsync(experimentName, cancellationToken)).Experiment;
                if (found.LifecycleStage == LifecycleStage.Deleted)
                {
                    throw new InvalidParameterException(ErrorCode.InvalidParameterValue,
                        $"Experiment '{experimentName}' is deleted; restore it or use another name.", System.Net.HttpStatusCode.BadRequest);
                }

                return found.ExperimentId;
            }
            catch (ResourceNotFoundException)
            {
                try
                {
                    return await CreateExperimentAsync(experimentName, cancellationToken: cancellationToken);
                }
                catch (ResourceAlreadyExistsException) when (attempt == 0)
                {
                    // Another process created it between our two calls: look it up again.
                }
            }
        }
    }

    private async Task<ActiveRun> StartMonitoredRunAsync(
        string experimentName, string? runName, IReadOnlyDictionary<string, string>? tags, ScopeExceptionMonitor monitor,
        CancellationToken cancellationToken)
    {
        try
        {
            return await StartRunCoreAsync(experimentName, runName, tags, monitor, cancellationToken);
        }
        catch
        {
            monitor.Exit();
            throw;
        }
    }

    private async Task<ActiveRun> StartRunCoreAsync(
        string experimentName, string? runName, IReadOnlyDictionary<string, string>? tags, ScopeExceptionMonitor? monitor,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(experimentName);
        var experimentId = await GetOrCreateExperimentAsync(experimentName, cancellationToken);
        var allTags = DefaultRunTags();
        foreach (var (key, value) in tags ?? new Dictionary<string, string>())
        {
            allTags[key] = value;
        }

        var created = await CreateRunAsync(new CreateRunRequest
        {
            ExperimentId = experimentId,
            RunName = runName,
            UserId = allTags["mlflow.user"],
            StartTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            Tags = allTags.Select(t => new RunTag(t.Key, t.Value)).ToList(),
        }, cancellationToken);
        return new ActiveRun(this, created.Run, monitor);
    }

    /// <summary>The tags MLflow's own client puts on a run: who started it and from what program.</summary>
    private static Dictionary<string, string> DefaultRunTags() => new(StringComparer.Ordinal)
    {
        ["mlflow.user"] = Environment.UserName,
        ["mlflow.source.name"] = Assembly.GetEntryAssembly()?.GetName().Name ?? "dotnet",
        ["mlflow.source.type"] = "LOCAL",
    };
}
