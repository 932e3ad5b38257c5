using System.ComponentModel;
using Flightdeck.Client;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Infrastructure;

/// <summary>Options of every command that talks to a tracking server.</summary>
public class ConnectionSettings : CommandSettings
{
    [CommandOption("--tracking-uri <URI>")]
    [Description("Tracking server URI. Default: FLIGHTDECK_TRACKING_URI, MLFLOW_TRACKING_URI or http://127.0.0.1:5000.")]
    public string? TrackingUri { get; init; }

    [CommandOption("--json")]
    [Description("Write the result as JSON (the API's snake_case DTOs) instead of a table.")]
    public bool Json { get; init; }

    public FlightdeckClient CreateClient() => new(FlightdeckClient.ResolveTrackingUri(TrackingUri));
}

/// <summary>Options of the search commands.</summary>
public class SearchSettings : ConnectionSettings
{
    [CommandOption("--filter <FILTER>")]
    [Description("Search filter, e.g. \"name LIKE 'demo%'\" or \"metrics.loss < 0.1 AND params.lr = '0.01'\".")]
    public string? Filter { get; init; }

    [CommandOption("--order-by <CLAUSE>")]
    [Description("Ordering, e.g. \"name ASC\" or \"metrics.loss DESC\"; repeat for several.")]
    public string[] OrderBy { get; init; } = [];

    [CommandOption("--max-results <N>")]
    [Description("Stop after this many results (default: all).")]
    public int? MaxResults { get; init; }

    [CommandOption("--view <VIEW>")]
    [Description("active (default), deleted or all.")]
    [DefaultValue("active")]
    public string View { get; init; } = "active";

    public Contracts.ViewType ViewType => View.ToLowerInvariant() switch
    {
        "active" or "active_only" => Contracts.ViewType.ActiveOnly,
        "deleted" or "deleted_only" => Contracts.ViewType.DeletedOnly,
        "all" => Contracts.ViewType.All,
        _ => throw new CliUsageException($"--view must be active, deleted or all, not '{View}'."),
    };

    public override Spectre.Console.ValidationResult Validate()
    {
        if (MaxResults is < 1)
        {
            return Spectre.Console.ValidationResult.Error("--max-results must be at least 1.");
        }

        return View.ToLowerInvariant() is "active" or "active_only" or "deleted" or "deleted_only" or "all"
            ? Spectre.Console.ValidationResult.Success()
            : Spectre.Console.ValidationResult.Error($"--view must be active, deleted or all, not '{View}'.");
    }
}
