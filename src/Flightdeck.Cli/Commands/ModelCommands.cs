using System.ComponentModel;
using System.Globalization;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Client;
using Flightdeck.Contracts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands;

public sealed class ListModelsSettings : ConnectionSettings
{
    [CommandOption("--filter <FILTER>")]
    [Description("Search filter, e.g. \"name LIKE 'fraud%'\" or \"tags.team = 'risk'\".")]
    public string? Filter { get; init; }

    [CommandOption("--order-by <CLAUSE>")]
    [Description("Ordering, e.g. \"name ASC\" or \"last_updated_timestamp DESC\"; repeat for several.")]
    public string[] OrderBy { get; init; } = [];

    [CommandOption("--max-results <N>")]
    [Description("Stop after this many models (default: all).")]
    public int? MaxResults { get; init; }

    public override ValidationResult Validate() =>
        MaxResults is < 1 ? ValidationResult.Error("--max-results must be at least 1.") : ValidationResult.Success();
}

/// <summary><c>models list</c>.</summary>
public sealed class ListModelsCommand(IAnsiConsole console) : AsyncCommand<ListModelsSettings>
{
    private const int PageSize = 1000;

    public override async Task<int> ExecuteAsync(CommandContext context, ListModelsSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var limit = settings.MaxResults ?? int.MaxValue;
        var models = new List<RegisteredModel>();
        string? token = null;
        do
        {
            var page = await client.SearchRegisteredModelsAsync(settings.Filter, settings.OrderBy, Math.Min(PageSize, limit - models.Count), token,
                cancellationToken);
            models.AddRange(page.RegisteredModels);
            token = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(token) && models.Count < limit);

        if (settings.Json)
        {
            Output.Json(console, new SearchRegisteredModelsResponse { RegisteredModels = models }, Output.Contracts.SearchRegisteredModelsResponse);
            return ExitCodes.Ok;
        }

        var table = Output.Table("Name", "Latest version", "Aliases", "Description", "Updated");
        foreach (var model in models)
        {
            Output.Row(table, model.Name, ModelText.LatestVersion(model), ModelText.Aliases(model.Aliases), model.Description,
                Output.Time(model.LastUpdatedTimestamp));
        }

        console.Write(table);
        return ExitCodes.Ok;
    }
}

public sealed class ModelNameSettings : ConnectionSettings
{
    [CommandArgument(0, "<NAME>")]
    [Description("Registered model name.")]
    public string Name { get; init; } = "";
}

/// <summary><c>models show</c>.</summary>
public sealed class ShowModelCommand(IAnsiConsole console) : AsyncCommand<ModelNameSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ModelNameSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var model = await client.GetRegisteredModelAsync(settings.Name, cancellationToken);
        if (settings.Json)
        {
            Output.Json(console, new RegisteredModelResponse(model), Output.Contracts.RegisteredModelResponse);
            return ExitCodes.Ok;
        }

        Output.Details(console,
            ("Name", model.Name), ("Description", model.Description ?? ""), ("Created", Output.Time(model.CreationTimestamp)),
            ("Updated", Output.Time(model.LastUpdatedTimestamp)), ("Aliases", ModelText.Aliases(model.Aliases)));
        if (model.LatestVersions.Count > 0)
        {
            var latest = Output.Table("Stage", "Latest version", "Run ID", "Source");
            foreach (var version in model.LatestVersions.OrderBy(v => Array.IndexOf(ModelStage.All, v.CurrentStage)))
            {
                Output.Row(latest, version.CurrentStage, version.Version, version.RunId, version.Source);
            }

            console.Write(latest);
        }

        if (model.Tags.Count > 0)
        {
            var tags = Output.Table("Tag", "Value");
            foreach (var tag in model.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                Output.Row(tags, tag.Key, tag.Value);
            }

            console.Write(tags);
        }

        return ExitCodes.Ok;
    }
}

public sealed class ModelVersionsSettings : ConnectionSettings
{
    [CommandArgument(0, "<NAME>")]
    [Description("Registered model name.")]
    public string Name { get; init; } = "";

    [CommandOption("--max-results <N>")]
    [Description("Show only the newest N versions (default: all).")]
    public int? MaxResults { get; init; }

    public override ValidationResult Validate() =>
        MaxResults is < 1 ? ValidationResult.Error("--max-results must be at least 1.") : ValidationResult.Success();
}

/// <summary><c>models versions</c>: a model's versions, newest first.</summary>
public sealed class ModelVersionsCommand(IAnsiConsole console) : AsyncCommand<ModelVersionsSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ModelVersionsSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        // Asked first so that an unknown model is "not found" rather than an empty list.
        await client.GetRegisteredModelAsync(settings.Name, cancellationToken);
        var versions = await client.EnumerateModelVersionsAsync(ModelText.NameFilter(settings.Name), ["version_number DESC"], cancellationToken)
            .Take(settings.MaxResults ?? int.MaxValue).ToListAsync(cancellationToken);

        if (settings.Json)
        {
            Output.Json(console, new SearchModelVersionsResponse { ModelVersions = versions }, Output.Contracts.SearchModelVersionsResponse);
            return ExitCodes.Ok;
        }

        var table = Output.Table("Version", "Stage", "Aliases", "Status", "Run ID", "Source", "Created");
        foreach (var version in versions)
        {
            Output.Row(table, version.Version, version.CurrentStage, string.Join(", ", version.Aliases), version.Status, version.RunId, version.Source,
                Output.Time(version.CreationTimestamp));
        }

        console.Write(table);
        return ExitCodes.Ok;
    }
}

/// <summary>How registry entities print in tables.</summary>
internal static class ModelText
{
    public static string Aliases(IEnumerable<RegisteredModelAlias> aliases) =>
        string.Join(", ", aliases.OrderBy(a => a.Alias, StringComparer.Ordinal).Select(a => $"{a.Alias} → {a.Version}"));

    public static string LatestVersion(RegisteredModel model) =>
        model.LatestVersions.Select(v => int.TryParse(v.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0).DefaultIfEmpty().Max() is var max and > 0 ? max.ToString(CultureInfo.InvariantCulture) : "";

    /// <summary>A search filter matching one model name exactly; quotes in the name are doubled, as the filter grammar reads them.</summary>
    public static string NameFilter(string name) => $"name = '{name.Replace("'", "''", StringComparison.Ordinal)}'";
}
