using Flightdeck.Models;

namespace Flightdeck.Serving.Tests.Infrastructure;

/// <summary>The real predictor behind a turnstile: every predict call blocks until the test lets exactly one call
/// through (<see cref="LetOneThrough"/>), so a test can free one batch worker while the others stay busy. Records the row
/// count of every call as it enters.</summary>
public sealed class TurnstilePredictor(IPredictor inner) : IPredictor
{
    private readonly SemaphoreSlim _turnstile = new(0);
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

    public void LetOneThrough() => _turnstile.Release();

    public void LetAllThrough() => _turnstile.Release(1000);

    /// <summary>Waits until another predict call has entered (and is blocked); false when none does in time.</summary>
    public Task<bool> WaitForCallAsync(TimeSpan timeout) => _entered.WaitAsync(timeout);

    public DataBatch Predict(DataBatch input)
    {
        lock (_calls)
            _calls.Add(input.RowCount);
        _entered.Release();
        _turnstile.Wait(TimeSpan.FromSeconds(60));
        return inner.Predict(input);
    }

    public void Dispose()
    {
        inner.Dispose();
        _turnstile.Dispose();
        _entered.Dispose();
    }
}
