namespace Flightdeck.Cli.Infrastructure;

/// <summary>The exit codes of <c>flightdeck</c>, stable for scripts.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Any failure without a more specific code (e.g. an internal server error).</summary>
    public const int Error = 1;

    /// <summary>Bad command line or a request the server refused as invalid (e.g. a malformed filter).</summary>
    public const int InvalidInput = 2;

    /// <summary>The experiment, run or artifact does not exist.</summary>
    public const int NotFound = 3;

    /// <summary>The tracking server could not be reached.</summary>
    public const int Unreachable = 4;

    /// <summary><c>endpoints deploy --wait</c>: the rollout ended rolled back (a guardrail breach or a manual rollback).</summary>
    public const int RolledBack = 5;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
