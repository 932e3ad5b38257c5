using System.ComponentModel;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Client;
using Flightdeck.Contracts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands;

public sealed class RunSearchSettings : SearchSettings
{
    [CommandOption("-e|--experiment <EXPERIMENT>")]
    [Description("Experiment id or name; repeat for several. Required.")]
    public string[] Experiments { get; init; } = [];

    public override ValidationResult Validate() =>
        Experiments.Length == 0 ? ValidationResult.Error("Name at least one experiment with --experiment (id or name).") : base.Validate();
}

/// <summary><c>runs list</c> and <c>runs search</c>.</summary>
public sealed class ListRunsCommand(IAnsiConsole console) : AsyncCommand<RunSearchSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunSearchSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var experimentIds = new List<string>();
        foreach (var experiment in settings.Experiments)
        {
            experimentIds.Add((await ExperimentLookup.FindAsync(client, experiment, cancellationToken)).ExperimentId);
        }

        var request = new SearchRunsRequest
        {
            ExperimentIds = experimentIds,
            Filter = settings.Filter,
            OrderBy = settings.OrderBy.Length > 0 ? [.. settings.OrderBy] : null,
            RunViewType = settings.ViewType,
            MaxResults = settings.MaxResults is { } max ? Math.Min(max, 1000) : null,
        };
        var runs = await client.EnumerateRunsAsync(request, cancellationToken).Take(settings.MaxResults ?? int.MaxValue).ToListAsync(cancellationToken);

        if (settings.Json)
        {
            Output.Json(console, new SearchRunsResponse { Runs = runs }, Output.Contracts.SearchRunsResponse);
            return ExitCodes.Ok;
        }

        var table = Output.Table("Run ID", "Name", "Experiment", "Status", "Started", "Duration", "Stage");
        foreach (var info in runs.Select(r => r.Info))
        {
            Output.Row(table, info.RunId, info.RunName, info.ExperimentId, RunStatusConverter.Instance.NameOf(info.Status),
                Output.Time(info.StartTime), Output.Duration(info.StartTime, info.EndTime), info.LifecycleStage);
        }

        console.Write(table);
        return ExitCodes.Ok;
    }
}

public sealed class RunSettings : ConnectionSettings
{
    [CommandArgument(0, "<RUN-ID>")]
    public string RunId { get; init; } = "";
}

/// <summary><c>runs get</c>.</summary>
public sealed class GetRunCommand(IAnsiConsole console) : AsyncCommand<RunSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var answer = await client.GetRunAsync(settings.RunId, cancellationToken);
        if (settings.Json)
        {
            Output.Json(console, answer, Output.Contracts.RunResponse);
            return ExitCodes.Ok;
        }

        var (info, data) = (answer.Run.Info, answer.Run.Data);
        Output.Details(console,
            ("Run ID", info.RunId), ("Name", info.RunName), ("Experiment", info.ExperimentId),
            ("Status", RunStatusConverter.Instance.NameOf(info.Status)), ("Stage", info.LifecycleStage), ("User", info.UserId),
            ("Started", Output.Time(info.StartTime)), ("Ended", Output.Time(info.EndTime)),
            ("Duration", Output.Duration(info.StartTime, info.EndTime)), ("Artifacts", info.ArtifactUri));
        WriteSection(console, "Param", "Value", data.Params.Select(p => (p.Key, p.Value)));
        WriteSection(console, "Metric", "Latest value (step)", data.Metrics.Select(m => (m.Key, (string?)$"{Output.Number(m.Value)} ({m.Step ?? 0})")));
        WriteSection(console, "Tag", "Value", data.Tags.Select(t => (t.Key, t.Value)));
        return ExitCodes.Ok;
    }

    private static void WriteSection(IAnsiConsole console, string keyTitle, string valueTitle, IEnumerable<(string? Key, string? Value)> rows)
    {
        var sorted = rows.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        if (sorted.Count == 0)
        {
            return;
        }

        var table = Output.Table(keyTitle, valueTitle);
        foreach (var (key, value) in sorted)
        {
            Output.Row(table, key, value);
        }

        console.Write(table);
    }
}

/// <summary><c>runs delete</c>.</summary>
public sealed class DeleteRunCommand(IAnsiConsole console) : AsyncCommand<RunSettings>
{
    public override Task<int> ExecuteAsync(CommandContext context, RunSettings settings, CancellationToken cancellationToken) =>
        RunLifecycle.ChangeAsync(console, settings, (client, id, ct) => client.DeleteRunAsync(id, ct), "Deleted", cancellationToken);
}

/// <summary><c>runs restore</c>.</summary>
public sealed class RestoreRunCommand(IAnsiConsole console) : AsyncCommand<RunSettings>
{
    public override Task<int> ExecuteAsync(CommandContext context, RunSettings settings, CancellationToken cancellationToken) =>
        RunLifecycle.ChangeAsync(console, settings, (client, id, ct) => client.RestoreRunAsync(id, ct), "Restored", cancellationToken);
}

internal static class RunLifecycle
{
    public static async Task<int> ChangeAsync(
        IAnsiConsole console, RunSettings settings, Func<FlightdeckClient, string, CancellationToken, Task> change, string verb,
        CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        await change(client, settings.RunId, cancellationToken);
        var after = (await client.GetRunAsync(settings.RunId, cancellationToken)).Run;
        if (settings.Json)
        {
            Output.Json(console, new RunResponse(after), Output.Contracts.RunResponse);
        }
        else
        {
            Output.Line(console, $"{verb} run {after.Info.RunId} ('{after.Info.RunName}').");
        }

        return ExitCodes.Ok;
    }
}

public sealed class GcSettings : ConnectionSettings
{
    [CommandOption("--older-than <DURATION>")]
    [Description("Only what was deleted longer ago than this, e.g. 30d, 12h or 0s for everything. Default 30d.")]
    [DefaultValue("30d")]
    public string OlderThan { get; init; } = "30d";

    [CommandOption("--run-id <RUN-ID>")]
    [Description("Limit to these deleted runs; repeat for several.")]
    public string[] RunIds { get; init; } = [];

    [CommandOption("--experiment-id <ID>")]
    [Description("Limit to these deleted experiments; repeat for several.")]
    public string[] ExperimentIds { get; init; } = [];
}

/// <summary><c>gc</c>: POST /api/flightdeck/v1/gc.</summary>
public sealed class GcCommand(IAnsiConsole console) : AsyncCommand<GcSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, GcSettings settings, CancellationToken cancellationToken)
    {
        var olderThan = Duration.Parse(settings.OlderThan, "--older-than");
        using var client = settings.CreateClient();
        var result = await client.GcAsync(new GcRequest
        {
            OlderThanMs = (long)olderThan.TotalMilliseconds,
            RunIds = settings.RunIds.Length > 0 ? [.. settings.RunIds] : null,
            ExperimentIds = settings.ExperimentIds.Length > 0 ? [.. settings.ExperimentIds] : null,
        }, cancellationToken);

        if (settings.Json)
        {
            Output.Json(console, result, Output.Contracts.GcResponse);
            return ExitCodes.Ok;
        }

        Output.Line(console, $"Permanently deleted {result.DeletedRunIds.Count} run(s) and {result.DeletedExperimentIds.Count} experiment(s).");
        if (result.DeletedRunIds.Count + result.DeletedExperimentIds.Count > 0)
        {
            var table = Output.Table("Kind", "ID");
            foreach (var id in result.DeletedExperimentIds)
            {
                Output.Row(table, "experiment", id);
            }

            foreach (var id in result.DeletedRunIds)
            {
                Output.Row(table, "run", id);
            }

            console.Write(table);
        }

        return ExitCodes.Ok;
    }
}
