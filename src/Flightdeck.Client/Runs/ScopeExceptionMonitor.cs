using System.Runtime.ExceptionServices;

namespace Flightdeck.Client.Runs;

/// <summary>
/// Tells an <c>await using</c> run scope whether it is being left because of an exception, which C# does not tell
/// DisposeAsync. Marshal.GetExceptionPointers() is no help on .NET 10: by the time an async DisposeAsync runs, the compiler
/// has caught the exception into a local, and the pointer is zero after an await and stale otherwise (measured on Linux).
/// Instead this records every exception first thrown in the scope's execution flow, and forgets it as soon as the scope
/// uses the run again (which proves the exception was handled). An exception still recorded at dispose escaped the scope,
/// unless it was caught after the last use of the run, the one case this gets wrong (the run is then marked FAILED).
/// </summary>
internal sealed class ScopeExceptionMonitor
{
    private static readonly AsyncLocal<ScopeExceptionMonitor?> Current = new();
    private static int _subscribed;

    private readonly ScopeExceptionMonitor? _parent;
    private Exception? _lastUnhandled;
    private volatile bool _closed;

    private ScopeExceptionMonitor(ScopeExceptionMonitor? parent) => _parent = parent;

    /// <summary>The last exception thrown in the scope since it last used the run.</summary>
    public Exception? LastUnhandled => Volatile.Read(ref _lastUnhandled);

    /// <summary>
    /// Starts monitoring the caller's flow. Must be called from a non-async method so that the AsyncLocal change is made in
    /// the caller's own execution context, where the scope's code runs.
    /// </summary>
    public static ScopeExceptionMonitor Enter()
    {
        if (Interlocked.Exchange(ref _subscribed, 1) == 0)
        {
            AppDomain.CurrentDomain.FirstChanceException += OnFirstChanceException;
        }

        var monitor = new ScopeExceptionMonitor(Current.Value);
        Current.Value = monitor;
        return monitor;
    }

    public void MarkUsed() => Volatile.Write(ref _lastUnhandled, null);

    /// <summary>Stops monitoring; restores the enclosing scope when called from the same flow as <see cref="Enter"/>.</summary>
    public void Exit()
    {
        _closed = true;
        if (Current.Value == this)
        {
            Current.Value = _parent;
        }
    }

    private static void OnFirstChanceException(object? sender, FirstChanceExceptionEventArgs e)
    {
        for (var monitor = Current.Value; monitor is not null; monitor = monitor._parent)
        {
            if (!monitor._closed)
            {
                Volatile.Write(ref monitor._lastUnhandled, e.Exception);
            }
        }
    }
}
