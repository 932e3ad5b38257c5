using System.Diagnostics;

namespace Flightdeck.Server.Tests.Artifacts;

/// <summary>Samples this process's working set and managed heap while a transfer runs, and reports the peak growth.</summary>
public sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private readonly long _baselineWorkingSet;
    private readonly long _baselineManaged;
    private long _peakWorkingSet;
    private long _peakManaged;

    private MemorySampler()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        _baselineWorkingSet = _peakWorkingSet = process.WorkingSet64;
        _baselineManaged = _peakManaged = GC.GetTotalMemory(forceFullCollection: false);
        _sampling = Task.Run(SampleAsync);
    }

    public static MemorySampler Start() => new();

    public long WorkingSetGrowth => _peakWorkingSet - _baselineWorkingSet;

    public long ManagedGrowth => _peakManaged - _baselineManaged;

    public override string ToString() =>
        $"working set +{WorkingSetGrowth / (1024 * 1024)} MB (from {_baselineWorkingSet / (1024 * 1024)} MB), managed heap +{ManagedGrowth / (1024 * 1024)} MB";

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        using var process = Process.GetCurrentProcess();
        while (!_stop.IsCancellationRequested)
        {
            process.Refresh();
            _peakWorkingSet = Math.Max(_peakWorkingSet, process.WorkingSet64);
            _peakManaged = Math.Max(_peakManaged, GC.GetTotalMemory(forceFullCollection: false));
            try
            {
                await Task.Delay(25, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
