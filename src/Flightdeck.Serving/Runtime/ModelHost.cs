using System.Collections.Concurrent;
using System.Globalization;
using Flightdeck.Models;

namespace Flightdeck.Serving;

/// <summary>
/// The models one process serves, keyed by name and version. Loading reads the package, builds the predictor and warms
/// it up (one predict of the input example) before the model becomes visible, so a listed model is a ready model.
/// Loading a name/version again replaces the old one, which is unloaded once its queued requests are done.
/// </summary>
public sealed class ModelHost : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Name, string Version), ServedModel> _models = new();

    /// <summary>Loads the package at <paramref name="directory"/> and serves it as <paramref name="name"/> version
    /// <paramref name="version"/>, with <see cref="ServingLoadOptions"/>. A bad package throws
    /// <see cref="ModelPackageException"/>.</summary>
    public async Task<ServedModel> LoadAsync(string name, string version, string directory, BatchingOptions? batching = null,
        ModelLoadOptions? loadOptions = null, string? source = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        batching ??= new BatchingOptions();
        batching.Validate();
        loadOptions = ServingLoadOptions(batching, loadOptions);
        // Loading and warming up are CPU and disk work: keep them off the caller's (request) thread.
        var predictor = await Task.Run(() => ModelLoader.Load(directory, loadOptions), cancellationToken);
        return await AddAsync(name, version, predictor, batching, source ?? directory);
    }

    /// <summary>The load options a served model gets: warmed up, and (where <paramref name="options"/> leaves them
    /// unset) ONNX Runtime threads that suit the batcher. Its workers already run <see cref="BatchingOptions.MaxConcurrentBatches"/>
    /// predict calls side by side, so each call gets its share of the cores (one thread each by default) and idle ONNX
    /// Runtime threads sleep rather than spin: on a small machine the spinning takes the cores that parse and answer
    /// the requests.</summary>
    public static ModelLoadOptions ServingLoadOptions(BatchingOptions batching, ModelLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(batching);
        options ??= new ModelLoadOptions();
        return options with
        {
            WarmUp = true,
            OnnxIntraOpThreads = options.OnnxIntraOpThreads ?? Math.Max(1, Environment.ProcessorCount / batching.MaxConcurrentBatches),
            OnnxSpinWait = options.OnnxSpinWait ?? false,
        };
    }

    /// <summary>Serves a predictor that is already loaded and warmed up; the host owns it from now on.</summary>
    public async Task<ServedModel> AddAsync(string name, string version, IPredictor predictor, BatchingOptions? batching = null,
        string? source = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        var model = new ServedModel(name, version, source ?? name, predictor, batching ?? new BatchingOptions());
        ServedModel? replaced = null;
        _models.AddOrUpdate((name, version), model, (_, old) =>
        {
            replaced = old;
            return model;
        });
        if (replaced is not null)
            await replaced.DisposeAsync();
        return model;
    }

    /// <summary>Stops serving a version; true when it was loaded.</summary>
    public async Task<bool> UnloadAsync(string name, string version)
    {
        if (!_models.TryRemove((name, version), out var model))
            return false;
        await model.DisposeAsync();
        return true;
    }

    /// <summary>Every loaded model, by name then version.</summary>
    public IReadOnlyList<ServedModel> Models =>
        [.. _models.Values.OrderBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => VersionOrder(m.Version))];

    /// <summary>The version asked for, or with no version the highest loaded version of the name.</summary>
    public ServedModel? Find(string name, string? version = null)
    {
        if (version is not null)
            return _models.GetValueOrDefault((name, version));
        return _models.Values.Where(m => m.Name == name).MaxBy(m => VersionOrder(m.Version));
    }

    /// <summary>The model answering protocol routes that name none (MLflow's /invocations): the only one loaded, or
    /// null when there are none or several.</summary>
    public ServedModel? Default => _models.Count == 1 ? _models.Values.FirstOrDefault() : null;

    private static (long, string) VersionOrder(string version) =>
        (long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : -1, version);

    public async ValueTask DisposeAsync()
    {
        foreach (var key in _models.Keys.ToList())
        {
            if (_models.TryRemove(key, out var model))
                await model.DisposeAsync();
        }
    }
}
