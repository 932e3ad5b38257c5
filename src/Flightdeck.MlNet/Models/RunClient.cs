using System.Reflection;
using Flightdeck.Client;

namespace Flightdeck.MlNet.Models;

/// <summary>The client a run was started from, which registering a model needs.</summary>
internal static class RunClient
{
    // ActiveRun does not expose its client yet; until it does (a requested one-line public property), read the field.
    private static readonly FieldInfo? ClientField = typeof(ActiveRun).GetField("_client", BindingFlags.Instance | BindingFlags.NonPublic);

    public static FlightdeckClient Of(ActiveRun run) =>
        ClientField?.GetValue(run) as FlightdeckClient
        ?? throw new InvalidOperationException("This version of Flightdeck.Client does not let Flightdeck.MlNet reach a run's client.");
}
