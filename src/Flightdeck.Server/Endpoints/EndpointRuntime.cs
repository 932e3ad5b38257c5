using System.Collections.Frozen;
using System.Diagnostics;
using Flightdeck.Contracts;
using Flightdeck.Models;
using Flightdeck.Serving;
using Flightdeck.Server.Tracking;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Server.Endpoints;

/// <summary>
/// The models this process serves for endpoints, and the routing table invocations read. One loaded model per model
/// version and batching setting that some endpoint routes to (STANDBY routes included, so a rollback is instant).
/// Reconciling reads every endpoint, loads what is missing, publishes the new table, and unloads what no route has
/// named for <see cref="UnloadGrace"/> (requests that chose a route just before a change still finish on it). It runs
/// at start, after every change made through this process, and every <see cref="ReconcileInterval"/>, so several server
/// processes sharing a database converge, and a restarted one serves what the database says.
/// </summary>
internal sealed partial class EndpointRuntime(
    EndpointStore store, ModelVersionResolver resolver, ModelPackageCache cache, ILogger<EndpointRuntime> logger)
    : BackgroundService
{
    public static readonly TimeSpan ReconcileInterval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan UnloadGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryFailedLoadAfter = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<ModelKey, LoadedModel> _loaded = [];
    private readonly Dictionary<ModelKey, (long AtMs, string Error)> _failed = [];
    private readonly TaskCompletionSource _firstReconcile = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ServedModel[] _models = [];
    private volatile FrozenDictionary<string, RoutedEndpoint> _table = FrozenDictionary<string, RoutedEndpoint>.Empty;

    /// <summary>A loaded model and the package folder it came from.</summary>
    public sealed record LoadedModel(ModelHost Host, ServedModel Model, string Directory)
    {
        public long? UnusedSinceMs { get; set; }
    }

    private readonly record struct ModelKey(string ModelName, string Version, int MaxBatchSize, double MaxBatchDelayMs);

    /// <summary>Test only, null in production: wraps each predictor loaded from now on (model name, version, the loaded
    /// predictor), so rollout tests can serve a version that fails some requests or answers slowly.</summary>
    internal Func<string, string, IPredictor, IPredictor>? PredictorWrapperForTests { get; set; }

    /// <summary>Every model loaded for endpoints now (for metrics).</summary>
    public IReadOnlyList<ServedModel> Models => _models;

    /// <summary>The endpoint's routing as of the last reconcile, or null when it does not exist.</summary>
    public RoutedEndpoint? Find(string name) => _table.GetValueOrDefault(name);

    /// <summary>Waits for the first reconcile after start, so requests arriving during start-up see the stored routes.</summary>
    public Task ReadyAsync(CancellationToken ct) => _firstReconcile.Task.WaitAsync(ct);

    public static BatchingOptions Batching(EndpointSettings settings) => new()
    {
        MaxBatchSize = settings.MaxBatchSize ?? new BatchingOptions().MaxBatchSize,
        MaxBatchDelay = settings.MaxBatchDelayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : new BatchingOptions().MaxBatchDelay,
    };

    /// <summary>Loads a version with an endpoint's settings (or finds it loaded); a package that cannot be loaded is a 400.</summary>
    public async Task<LoadedModel> EnsureLoadedAsync(string modelName, string version, EndpointSettings settings, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var key = KeyOf(modelName, version, settings);
            var loaded = await LoadAsync(key, ct);
            loaded.UnusedSinceMs ??= Clock.NowMs(); // not routed yet: unloaded after the grace unless a route names it
            return loaded;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Brings the loaded models and the routing table in line with the stored endpoints now.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        var endpoints = await store.ListAsync(ct);
        await _gate.WaitAsync(ct);
        try
        {
            var now = Clock.NowMs();
            var needed = new HashSet<ModelKey>();
            var table = new Dictionary<string, RoutedEndpoint>(StringComparer.Ordinal);
            foreach (var endpoint in endpoints)
            {
                var routes = new List<RoutedVersion>(endpoint.Routes.Count);
                foreach (var route in endpoint.Routes)
                {
                    var key = KeyOf(route.ModelName, route.Version, endpoint.Settings);
                    needed.Add(key);
                    routes.Add(new RoutedVersion(route, await TryLoadAsync(key, now, ct)));
                }

                table[endpoint.Name] = new RoutedEndpoint(endpoint, routes);
            }

            _table = table.ToFrozenDictionary(StringComparer.Ordinal);
            await UnloadUnusedAsync(needed, now);
        }
        finally
        {
            _gate.Release();
        }

        _firstReconcile.TrySetResult();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogReconcileFailed(logger, e);
                _firstReconcile.TrySetResult(); // serve what is known rather than hold requests forever
            }

            try
            {
                await Task.Delay(ReconcileInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var loaded in _loaded.Values)
                await loaded.Host.DisposeAsync();
            _loaded.Clear();
            _models = [];
            _table = FrozenDictionary<string, RoutedEndpoint>.Empty;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static ModelKey KeyOf(string modelName, string version, EndpointSettings settings)
    {
        var batching = Batching(settings);
        return new ModelKey(modelName, version, batching.MaxBatchSize, batching.MaxBatchDelay.TotalMilliseconds);
    }

    /// <summary>Loads a model for the routing table; a failure is logged and retried later, and its route answers 503.</summary>
    private async Task<ServedModel?> TryLoadAsync(ModelKey key, long now, CancellationToken ct)
    {
        if (_loaded.TryGetValue(key, out var loaded))
        {
            loaded.UnusedSinceMs = null;
            return loaded.Model;
        }

        if (_failed.TryGetValue(key, out var failure) && now - failure.AtMs < RetryFailedLoadAfter.TotalMilliseconds)
            return null;
        try
        {
            var model = await LoadAsync(key, ct);
            model.UnusedSinceMs = null;
            return model.Model;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _failed[key] = (now, e.Message);
            LogLoadFailed(logger, e, key.ModelName, key.Version);
            return null;
        }
    }

    private async Task<LoadedModel> LoadAsync(ModelKey key, CancellationToken ct)
    {
        if (_loaded.TryGetValue(key, out var existing))
            return existing;
        var started = Stopwatch.GetTimestamp();
        var location = await resolver.LocationAsync(key.ModelName, key.Version, ct);
        var directory = await cache.GetAsync(key.ModelName, key.Version, location, ct);
        var host = new ModelHost();
        var batching = new BatchingOptions { MaxBatchSize = key.MaxBatchSize, MaxBatchDelay = TimeSpan.FromMilliseconds(key.MaxBatchDelayMs) };
        try
        {
            var source = $"models:/{key.ModelName}/{key.Version}";
            var model = PredictorWrapperForTests is { } wrap
                ? await host.AddAsync(key.ModelName, key.Version,
                    wrap(key.ModelName, key.Version, await Task.Run(() => ModelLoader.Load(directory, ModelHost.ServingLoadOptions(batching)), ct)), batching, source)
                : await host.LoadAsync(key.ModelName, key.Version, directory, batching, source: source, cancellationToken: ct);
            var loaded = new LoadedModel(host, model, directory);
            _loaded[key] = loaded;
            _models = [.. _loaded.Values.Select(l => l.Model)];
            _failed.Remove(key);
            LogLoaded(logger, key.ModelName, key.Version, model.Predictor.Flavor, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return loaded;
        }
        catch (Exception e) when (e is ModelPackageException or ModelInputException)
        {
            await host.DisposeAsync();
            throw FlightdeckException.InvalidParameter(
                $"Version {key.Version} of '{Validation.Shorten(key.ModelName)}' cannot be served: {e.Message}");
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task UnloadUnusedAsync(HashSet<ModelKey> needed, long now)
    {
        foreach (var (key, loaded) in _loaded.ToList())
        {
            if (needed.Contains(key))
                continue;
            loaded.UnusedSinceMs ??= now;
            if (now - loaded.UnusedSinceMs.Value < UnloadGrace.TotalMilliseconds)
                continue;
            _loaded.Remove(key);
            _models = [.. _loaded.Values.Select(l => l.Model)];
            await loaded.Host.DisposeAsync();
            LogUnloaded(logger, key.ModelName, key.Version);
        }

        foreach (var key in _failed.Keys.Where(k => !needed.Contains(k)).ToList())
            _failed.Remove(key);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Endpoints: loaded {Model} version {Version} ({Flavor}) in {Milliseconds:F0} ms")]
    private static partial void LogLoaded(ILogger logger, string model, string version, string flavor, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Endpoints: unloaded {Model} version {Version}, which no route names any more")]
    private static partial void LogUnloaded(ILogger logger, string model, string version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Endpoints: {Model} version {Version} could not be loaded; its routes answer 503")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string model, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoints: reconciling the loaded models with the stored routes failed")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);
}
