using System.Data.Common;

namespace Flightdeck.Server.Tracking;

/// <summary>
/// Told when a run is created or its status or end time changes, inside the transaction that makes the change, so what
/// it writes (an outbox message, say) commits exactly when the change does. Registered in DI; none by default.
/// </summary>
internal interface IRunObserver
{
    Task RunChangedAsync(DbConnection connection, DbTransaction transaction, string runId, CancellationToken ct);
}
