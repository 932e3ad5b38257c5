using System.ComponentModel;
using System.Text.Json;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Client;
using Flightdeck.Contracts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands;

public sealed class LineageSettings : ConnectionSettings
{
    [CommandArgument(0, "<NODE>")]
    [Description("dataset:<uuid>, run:<run_id>, model:<name>/<version>, job:<namespace>/<name> or olds:<namespace>/<name>.")]
    public string Node { get; init; } = "";

    [CommandOption("--direction <DIRECTION>")]
    [Description("upstream, downstream or both (default).")]
    [DefaultValue("both")]
    public string Direction { get; init; } = "both";

    [CommandOption("--depth <N>")]
    [Description("How many hops to walk (server default 5, at most 10).")]
    public int? Depth { get; init; }

    public LineageDirection ParsedDirection => Direction.ToLowerInvariant() switch
    {
        "upstream" or "up" => LineageDirection.Upstream,
        "downstream" or "down" => LineageDirection.Downstream,
        _ => LineageDirection.Both,
    };

    public override ValidationResult Validate() =>
        Direction.ToLowerInvariant() is not ("upstream" or "up" or "downstream" or "down" or "both")
            ? ValidationResult.Error($"--direction must be upstream, downstream or both, not '{Direction}'.")
            : Depth is < 1 ? ValidationResult.Error("--depth must be at least 1.") : ValidationResult.Success();
}

/// <summary><c>lineage NODE</c>: the lineage graph around a node, as a tree (upstream and downstream branches).</summary>
public sealed class LineageCommand(IAnsiConsole console) : AsyncCommand<LineageSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, LineageSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var graph = await client.GetLineageAsync(settings.Node, settings.ParsedDirection, settings.Depth, cancellationToken);
        if (settings.Json)
        {
            Output.Json(console, graph, LineageOutput.Json.LineageGraphResponse);
            return ExitCodes.Ok;
        }

        console.Write(LineageTree.Build(graph));
        if (graph.Truncated)
        {
            Output.Line(console, $"(truncated: the graph has more nodes than the server returns in one answer)");
        }

        return ExitCodes.Ok;
    }
}

/// <summary>Renders a lineage graph as a tree: each node once per branch; a node reached again is marked, not expanded.</summary>
internal static class LineageTree
{
    public static Tree Build(LineageGraphResponse graph)
    {
        var nodes = graph.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var root = new Tree(Label(nodes[graph.Root]));
        var upstream = graph.Edges.ToLookup(e => e.Target, StringComparer.Ordinal);
        var downstream = graph.Edges.ToLookup(e => e.Source, StringComparer.Ordinal);
        var both = graph.Direction == "both";
        if (graph.Direction is "upstream" or "both")
        {
            Branch(root, both ? "upstream" : null, graph.Root, e => upstream[e].Select(x => (x.Source, x.Kind)), nodes);
        }

        if (graph.Direction is "downstream" or "both")
        {
            Branch(root, both ? "downstream" : null, graph.Root, e => downstream[e].Select(x => (x.Target, x.Kind)), nodes);
        }

        return root;
    }

    private static void Branch(
        Tree root, string? title, string rootId, Func<string, IEnumerable<(string Id, string Kind)>> next, Dictionary<string, LineageNode> nodes)
    {
        var branch = title is null ? null : root.AddNode($"[bold]{title}[/]");
        Func<string, TreeNode> add = child => branch is null ? root.AddNode(child) : branch.AddNode(child);
        if (!next(rootId).Any())
        {
            add("[dim](nothing)[/]");
        }

        Expand(rootId, next, nodes, add, new HashSet<string>(StringComparer.Ordinal) { rootId });
    }

    private static void Expand(
        string id, Func<string, IEnumerable<(string Id, string Kind)>> next, Dictionary<string, LineageNode> nodes, Func<string, TreeNode> add,
        HashSet<string> shown)
    {
        foreach (var (childId, kind) in next(id).OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            if (!nodes.TryGetValue(childId, out var child))
            {
                continue;
            }

            var firstTime = shown.Add(childId);
            var treeNode = add($"[dim]{Markup.Escape(kind)}[/] {Label(child)}{(firstTime ? "" : " [dim](shown above)[/]")}");
            if (firstTime)
            {
                Expand(childId, next, nodes, treeNode.AddNode, shown);
            }
        }
    }

    private static string Label(LineageNode node)
    {
        var state = node.Kind switch
        {
            LineageNodeKind.Run => Attribute(node, "status"),
            LineageNodeKind.Model => Attribute(node, "stage") is { } stage and not "None" ? stage : null,
            LineageNodeKind.Job => Attribute(node, "latest_state"),
            LineageNodeKind.Dataset => Attribute(node, "owner") is { } owner ? "owner " + owner : null,
            _ => null,
        };
        return $"[bold]{Markup.Escape(node.Kind)}[/] {Markup.Escape(node.Label)}"
            + (state is null ? "" : $" [yellow]{Markup.Escape(state)}[/]")
            + $" [dim]{Markup.Escape(node.Id)}[/]";
    }

    private static string? Attribute(LineageNode node, string key) => node.Attributes.TryGetValue(key, out var value) ? value : null;
}

internal static class LineageOutput
{
    public static readonly LineageJsonContext Json = new(new JsonSerializerOptions(LineageJsonContext.Default.Options) { WriteIndented = true });
}

/// <summary>The <c>datasets</c> branch of the command tree.</summary>
public static class DatasetCommandTree
{
    public static void Configure(IConfigurator<CommandSettings> datasets)
    {
        datasets.SetDescription("Datasets logged as run inputs.");
        datasets.AddCommand<ListDatasetsCommand>("list").WithDescription("List datasets, by experiment, name or owner.");
        datasets.AddCommand<ShowDatasetCommand>("show").WithDescription("Show a dataset and the runs that used it.");
    }
}

public sealed class DatasetListSettings : ConnectionSettings
{
    [CommandOption("-e|--experiment <EXPERIMENT>")]
    [Description("Experiment id or name; repeat for several.")]
    public string[] Experiments { get; init; } = [];

    [CommandOption("--name <NAME>")]
    [Description("Exact dataset name.")]
    public string? Name { get; init; }

    [CommandOption("--name-contains <TEXT>")]
    [Description("Case-insensitive part of the dataset name.")]
    public string? NameContains { get; init; }

    [CommandOption("--owner <OWNER>")]
    public string? Owner { get; init; }

    [CommandOption("--max-results <N>")]
    [Description("Stop after this many datasets (default: all).")]
    public int? MaxResults { get; init; }

    public override ValidationResult Validate() =>
        MaxResults is < 1 ? ValidationResult.Error("--max-results must be at least 1.") : ValidationResult.Success();
}

/// <summary><c>datasets list</c>.</summary>
public sealed class ListDatasetsCommand(IAnsiConsole console) : AsyncCommand<DatasetListSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DatasetListSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var experimentIds = new List<string>();
        foreach (var experiment in settings.Experiments)
        {
            experimentIds.Add((await ExperimentLookup.FindAsync(client, experiment, cancellationToken)).ExperimentId);
        }

        var datasets = new List<DatasetRecord>();
        string? token = null;
        var limit = settings.MaxResults ?? int.MaxValue;
        do
        {
            var page = await client.ListDatasetsAsync(experimentIds, settings.Name, settings.NameContains, settings.Owner,
                Math.Min(limit - datasets.Count, 1000), token, cancellationToken);
            datasets.AddRange(page.Datasets);
            token = page.NextPageToken;
        }
        while (token is not null && datasets.Count < limit);

        if (settings.Json)
        {
            Output.Json(console, new ListDatasetsResponse { Datasets = datasets }, LineageOutput.Json.ListDatasetsResponse);
            return ExitCodes.Ok;
        }

        var table = Output.Table("Dataset ID", "Name", "Digest", "Experiment", "Owner", "Runs", "Source");
        foreach (var d in datasets)
        {
            Output.Row(table, d.DatasetId, d.Name, d.Digest, d.ExperimentId, d.Owner, d.RunCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                d.SourceUri is { Length: > 0 } uri ? uri : d.Source);
        }

        console.Write(table);
        return ExitCodes.Ok;
    }
}

public sealed class DatasetSettings : ConnectionSettings
{
    [CommandArgument(0, "<DATASET-ID>")]
    public string DatasetId { get; init; } = "";
}

/// <summary><c>datasets show</c>: a dataset's details and the runs that used it.</summary>
public sealed class ShowDatasetCommand(IAnsiConsole console) : AsyncCommand<DatasetSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DatasetSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var answer = await client.GetDatasetAsync(settings.DatasetId, cancellationToken);
        if (settings.Json)
        {
            Output.Json(console, answer, LineageOutput.Json.GetDatasetResponse);
            return ExitCodes.Ok;
        }

        var d = answer.Dataset;
        Output.Details(console,
            ("Dataset ID", d.DatasetId), ("Name", d.Name), ("Digest", d.Digest), ("Experiment", d.ExperimentId), ("Owner", d.Owner ?? ""),
            ("Source type", d.SourceType), ("Source", d.Source), ("Source URI", d.SourceUri ?? ""));
        var runs = Output.Table("Run ID", "Name", "Experiment", "Status", "Started", "Context");
        foreach (var run in answer.Runs)
        {
            Output.Row(runs, run.RunId, run.RunName, run.ExperimentId, run.Status, Output.Time(run.StartTime),
                run.Tags.FirstOrDefault(t => t.Key == "mlflow.data.context")?.Value);
        }

        console.Write(runs);
        return ExitCodes.Ok;
    }
}
