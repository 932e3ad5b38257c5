using Flightdeck.Models;

namespace Flightdeck.Serving;

/// <summary>One loaded model version: its predictor, its batcher and its counters. Predictions go through
/// <see cref="PredictAsync"/> so concurrent requests share batches.</summary>
public sealed class ServedModel : IAsyncDisposable
{
    internal ServedModel(string name, string version, string source, IPredictor predictor, BatchingOptions batching)
    {
        Name = name;
        Version = version;
        Source = source;
        Predictor = predictor;
        Batching = batching;
        Batcher = new AdaptiveBatcher(predictor, batching, Stats, name, version);
    }

    public string Name { get; }

    public string Version { get; }

    /// <summary>Where it was loaded from (a model URI or a local folder), for metadata and logs.</summary>
    public string Source { get; }

    public IPredictor Predictor { get; }

    public BatchingOptions Batching { get; }

    public ModelStats Stats { get; } = new();

    public AdaptiveBatcher Batcher { get; }

    public ModelSignature Signature => Predictor.Signature;

    public Task<DataBatch> PredictAsync(DataBatch input, CancellationToken cancellationToken = default) =>
        Batcher.PredictAsync(input, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Batcher.DisposeAsync();
        Predictor.Dispose();
    }
}
