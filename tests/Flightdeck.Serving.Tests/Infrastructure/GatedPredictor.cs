using Flightdeck.Models;

namespace Flightdeck.Serving.Tests.Infrastructure;

/// <summary>The real predictor behind a gate the test controls: while it is closed, a predict call blocks, so requests
/// pile up in the queue deterministically. <see cref="Open"/> lets every call through from then on;
/// <see cref="LetOneThrough"/> lets exactly one blocked call through, so a test can free one batch worker while the
/// others stay busy. Records the row count of every predict call as it enters.</summary>
public sealed class GatedPredictor(IPredictor inner) : IPredictor
{
    private const int Unlimited = 1_000_000;
    private readonly SemaphoreSlim _permits = new(0);
    private readonly SemaphoreSlim _entered = new(0);
    private readonly List<int> _calls = [];

    public string Flavor => inner.Flavor;

    public ModelPackage Package => inner.Package;

    public ModelSignature Signature => inner.Signature;

    public IReadOnlyList<int> CallRows
    {
        get
        {
            lock (_calls)
                return [.. _calls];
        }
    }

    public void Open() => _permits.Release(Unlimited);

    public void LetOneThrough() => _permits.Release();

    /// <summary>Waits until a predict call is blocked at the gate.</summary>
    public Task WaitForBlockedCallAsync() => _entered.WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Waits until another predict call has entered (and is blocked); false when none does in time.</summary>
    public Task<bool> WaitForCallAsync(TimeSpan timeout) => _entered.WaitAsync(timeout);

    public DataBatch Predict(DataBatch input)
    {
        lock (_calls)
            _calls.Add(input.RowCount);
        _entered.Release();
        _permits.Wait(TimeSpan.FromSeconds(60));
        return inner.Predict(input);
    }

    public void Dispose()
    {
        inner.Dispose();
        _permits.Dispose();
        _entered.Dispose();
    }
}
