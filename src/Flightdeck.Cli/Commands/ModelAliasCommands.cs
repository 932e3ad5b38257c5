using System.ComponentModel;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Contracts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands;

public class ModelAliasSettings : ConnectionSettings
{
    [CommandArgument(0, "<NAME>")]
    [Description("Registered model name.")]
    public string Name { get; init; } = "";

    [CommandArgument(1, "<ALIAS>")]
    [Description("Alias, e.g. champion.")]
    public string Alias { get; init; } = "";
}

public sealed class SetModelAliasSettings : ModelAliasSettings
{
    [CommandArgument(2, "<VERSION>")]
    [Description("Version number the alias points at.")]
    public string Version { get; init; } = "";
}

/// <summary><c>models alias set</c>: points an alias at a version, moving it if it pointed elsewhere.</summary>
public sealed class SetModelAliasCommand(IAnsiConsole console) : AsyncCommand<SetModelAliasSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, SetModelAliasSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        await client.SetRegisteredModelAliasAsync(settings.Name, settings.Alias, settings.Version, cancellationToken);
        var version = await client.GetModelVersionByAliasAsync(settings.Name, settings.Alias, cancellationToken);
        if (settings.Json)
        {
            Output.Json(console, new ModelVersionResponse(version), Output.Contracts.ModelVersionResponse);
        }
        else
        {
            Output.Line(console, $"Alias '{settings.Alias}' of model '{version.Name}' now points at version {version.Version}.");
        }

        return ExitCodes.Ok;
    }
}

/// <summary><c>models alias delete</c>.</summary>
public sealed class DeleteModelAliasCommand(IAnsiConsole console) : AsyncCommand<ModelAliasSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ModelAliasSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        // Read first, to say which version it pointed at.
        var version = await client.GetModelVersionByAliasAsync(settings.Name, settings.Alias, cancellationToken);
        await client.DeleteRegisteredModelAliasAsync(settings.Name, settings.Alias, cancellationToken);
        var model = await client.GetRegisteredModelAsync(settings.Name, cancellationToken);
        if (settings.Json)
        {
            Output.Json(console, new RegisteredModelResponse(model), Output.Contracts.RegisteredModelResponse);
        }
        else
        {
            Output.Line(console, $"Deleted alias '{settings.Alias}' of model '{model.Name}' (it pointed at version {version.Version}).");
        }

        return ExitCodes.Ok;
    }
}
