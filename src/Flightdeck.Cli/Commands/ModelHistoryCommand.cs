using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Contracts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands;

public sealed class ModelHistorySettings : ConnectionSettings
{
    [CommandArgument(0, "<NAME>")]
    [Description("Registered model name.")]
    public string Name { get; init; } = "";

    [CommandOption("--alias <ALIAS>")]
    [Description("Instead of the timeline, say which version this alias pointed at (at --at, default now).")]
    public string? Alias { get; init; }

    [CommandOption("--at <TIME>")]
    [Description("With --alias: a time such as 2026-11-28T15:00:00Z (local time when no offset is given) or Unix milliseconds.")]
    public string? At { get; init; }

    public override ValidationResult Validate() =>
        At is not null && Alias is null ? ValidationResult.Error("--at needs --alias.") : ValidationResult.Success();

    public DateTimeOffset Time()
    {
        if (At is null)
        {
            return DateTimeOffset.UtcNow;
        }

        if (long.TryParse(At, NumberStyles.None, CultureInfo.InvariantCulture, out var unixMs))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
        }

        return DateTimeOffset.TryParse(At, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var time)
            ? time
            : throw new CliUsageException($"--at '{At}' is not a time; use e.g. 2026-11-28T15:00:00Z or Unix milliseconds.");
    }
}

/// <summary><c>models history</c>: a model's timeline of changes, or which version an alias pointed at, at a given time.</summary>
public sealed class ModelHistoryCommand(IAnsiConsole console) : AsyncCommand<ModelHistorySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ModelHistorySettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        if (settings.Alias is { } alias)
        {
            var held = await client.GetAliasAtAsync(settings.Name, alias, settings.Time(), cancellationToken);
            if (settings.Json)
            {
                Output.Json(console, held, Output.Contracts.AliasAtResponse);
            }
            else
            {
                Output.Line(console, $"At {Output.Time(held.Time)}, alias '{held.Alias}' of model '{held.Name}' pointed at version {held.Version} "
                    + $"(set {Output.Time(held.SetAt)}).");
            }

            return ExitCodes.Ok;
        }

        var events = await client.GetRegisteredModelHistoryAsync(settings.Name, cancellationToken);
        if (settings.Json)
        {
            Output.Json(console, new RegistryHistoryResponse { Events = events }, Output.Contracts.RegistryHistoryResponse);
            return ExitCodes.Ok;
        }

        var table = Output.Table("Time", "Event", "Version", "Actor", "Before", "After");
        foreach (var change in events)
        {
            Output.Row(table, Output.Time(change.Timestamp), change.EventType, change.Version, change.Actor, State(change.Before), State(change.After));
        }

        console.Write(table);
        return ExitCodes.Ok;
    }

    /// <summary>A state object as <c>key=value, ...</c>, the way it reads best in a table cell.</summary>
    private static string State(JsonElement? state) => state is { ValueKind: JsonValueKind.Object } element
        ? string.Join(", ", element.EnumerateObject().Select(p => $"{p.Name}={(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())}"))
        : state?.GetRawText() ?? "";
}
