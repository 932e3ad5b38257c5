using Flightdeck.Models;

namespace Flightdeck.Serving.Tests.Infrastructure;

/// <summary>The real predictor behind a gate the test opens: while it is closed, a predict call blocks, so requests
/// pile up in the queue deterministically. Records the row count of every predict call.</summary>
public sealed class GatedPredictor(IPredictor inner) : IPredictor
{
    private readonly ManualResetEventSlim _gate = new(initialState: false);
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

    public void Open() => _gate.Set();

    /// <summary>Waits until a predict call is blocked at the gate.</summary>
    public Task WaitForBlockedCallAsync() => _entered.WaitAsync(TimeSpan.FromSeconds(30));

    public DataBatch Predict(DataBatch input)
    {
        lock (_calls)
            _calls.Add(input.RowCount);
        _entered.Release();
        _gate.Wait(TimeSpan.FromSeconds(60));
        return inner.Predict(input);
    }

    public void Dispose()
    {
        inner.Dispose();
        _gate.Dispose();
        _entered.Dispose();
    }
}
