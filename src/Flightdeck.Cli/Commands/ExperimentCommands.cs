using System.ComponentModel;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Client;
using Flightdeck.Contracts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands;

/// <summary><c>experiments list</c> and <c>experiments search</c>.</summary>
public sealed class ListExperimentsCommand(IAnsiConsole console) : AsyncCommand<SearchSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, SearchSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var request = new SearchExperimentsRequest
        {
            Filter = settings.Filter,
            OrderBy = settings.OrderBy.Length > 0 ? [.. settings.OrderBy] : null,
            ViewType = settings.ViewType,
            MaxResults = settings.MaxResults is { } max ? Math.Min(max, 1000) : null,
        };
        var experiments = await client.EnumerateExperimentsAsync(request, cancellationToken)
            .Take(settings.MaxResults ?? int.MaxValue).ToListAsync(cancellationToken);

        if (settings.Json)
        {
            Output.Json(console, new SearchExperimentsResponse { Experiments = experiments }, Output.Contracts.SearchExperimentsResponse);
            return ExitCodes.Ok;
        }

        var table = Output.Table("ID", "Name", "Stage", "Artifact location", "Created");
        foreach (var e in experiments)
        {
            Output.Row(table, e.ExperimentId, e.Name, e.LifecycleStage, e.ArtifactLocation, Output.Time(e.CreationTime));
        }

        console.Write(table);
        return ExitCodes.Ok;
    }
}

public sealed class ExperimentSettings : ConnectionSettings
{
    [CommandArgument(0, "<EXPERIMENT>")]
    [Description("Experiment id or name.")]
    public string Experiment { get; init; } = "";
}

/// <summary><c>experiments get</c>.</summary>
public sealed class GetExperimentCommand(IAnsiConsole console) : AsyncCommand<ExperimentSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ExperimentSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var experiment = await ExperimentLookup.FindAsync(client, settings.Experiment, cancellationToken);
        if (settings.Json)
        {
            Output.Json(console, new GetExperimentResponse(experiment), Output.Contracts.GetExperimentResponse);
            return ExitCodes.Ok;
        }

        Output.Details(console,
            ("ID", experiment.ExperimentId), ("Name", experiment.Name), ("Stage", experiment.LifecycleStage),
            ("Artifact location", experiment.ArtifactLocation ?? ""), ("Created", Output.Time(experiment.CreationTime)),
            ("Updated", Output.Time(experiment.LastUpdateTime)));
        if (experiment.Tags.Count > 0)
        {
            var tags = Output.Table("Tag", "Value");
            foreach (var tag in experiment.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                Output.Row(tags, tag.Key, tag.Value);
            }

            console.Write(tags);
        }

        return ExitCodes.Ok;
    }
}

public sealed class CreateExperimentSettings : ConnectionSettings
{
    [CommandArgument(0, "<NAME>")]
    public string Name { get; init; } = "";

    [CommandOption("--artifact-location <URI>")]
    [Description("Where the experiment's artifacts go. Default: the server's artifact store.")]
    public string? ArtifactLocation { get; init; }

    [CommandOption("--tag <KEY=VALUE>")]
    [Description("A tag; repeat for several.")]
    public string[] Tags { get; init; } = [];
}

/// <summary><c>experiments create</c>.</summary>
public sealed class CreateExperimentCommand(IAnsiConsole console) : AsyncCommand<CreateExperimentSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CreateExperimentSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var tags = settings.Tags.Select(ParseTag).ToList();
        var created = await client.CreateExperimentAsync(new CreateExperimentRequest
        {
            Name = settings.Name,
            ArtifactLocation = settings.ArtifactLocation,
            Tags = tags.Count > 0 ? tags : null,
        }, cancellationToken);

        if (settings.Json)
        {
            Output.Json(console, created, Output.Contracts.CreateExperimentResponse);
        }
        else
        {
            Output.Line(console, $"Created experiment '{settings.Name}' with id {created.ExperimentId}.");
        }

        return ExitCodes.Ok;
    }

    private static ExperimentTag ParseTag(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 ? new ExperimentTag(text[..equals], text[(equals + 1)..]) : throw new CliUsageException($"--tag '{text}' is not KEY=VALUE.");
    }
}

public sealed class RenameExperimentSettings : ConnectionSettings
{
    [CommandArgument(0, "<EXPERIMENT>")]
    [Description("Experiment id or name.")]
    public string Experiment { get; init; } = "";

    [CommandArgument(1, "<NEW-NAME>")]
    public string NewName { get; init; } = "";
}

/// <summary><c>experiments rename</c>.</summary>
public sealed class RenameExperimentCommand(IAnsiConsole console) : AsyncCommand<RenameExperimentSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RenameExperimentSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var experiment = await ExperimentLookup.FindAsync(client, settings.Experiment, cancellationToken);
        await client.UpdateExperimentAsync(experiment.ExperimentId, settings.NewName, cancellationToken);
        var renamed = (await client.GetExperimentAsync(experiment.ExperimentId, cancellationToken)).Experiment;
        if (settings.Json)
        {
            Output.Json(console, new GetExperimentResponse(renamed), Output.Contracts.GetExperimentResponse);
        }
        else
        {
            Output.Line(console, $"Renamed experiment {renamed.ExperimentId} from '{experiment.Name}' to '{renamed.Name}'.");
        }

        return ExitCodes.Ok;
    }
}

/// <summary><c>experiments delete</c>.</summary>
public sealed class DeleteExperimentCommand(IAnsiConsole console) : AsyncCommand<ExperimentSettings>
{
    public override Task<int> ExecuteAsync(CommandContext context, ExperimentSettings settings, CancellationToken cancellationToken) =>
        ExperimentLifecycle.ChangeAsync(console, settings, (client, id, ct) => client.DeleteExperimentAsync(id, ct), "Deleted", cancellationToken);
}

/// <summary><c>experiments restore</c>.</summary>
public sealed class RestoreExperimentCommand(IAnsiConsole console) : AsyncCommand<ExperimentSettings>
{
    public override Task<int> ExecuteAsync(CommandContext context, ExperimentSettings settings, CancellationToken cancellationToken) =>
        ExperimentLifecycle.ChangeAsync(console, settings, (client, id, ct) => client.RestoreExperimentAsync(id, ct), "Restored", cancellationToken);
}

internal static class ExperimentLifecycle
{
    public static async Task<int> ChangeAsync(
        IAnsiConsole console, ExperimentSettings settings, Func<FlightdeckClient, string, CancellationToken, Task> change, string verb,
        CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var experiment = await ExperimentLookup.FindAsync(client, settings.Experiment, cancellationToken);
        await change(client, experiment.ExperimentId, cancellationToken);
        var after = (await client.GetExperimentAsync(experiment.ExperimentId, cancellationToken)).Experiment;
        if (settings.Json)
        {
            Output.Json(console, new GetExperimentResponse(after), Output.Contracts.GetExperimentResponse);
        }
        else
        {
            Output.Line(console, $"{verb} experiment {after.ExperimentId} ('{after.Name}').");
        }

        return ExitCodes.Ok;
    }
}
