using System.ComponentModel;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Storage;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands;

public sealed class DbUpgradeSettings : CommandSettings
{
    [CommandOption("--backend-store-uri <URI>")]
    [Description("The store to upgrade. Default: the server's default SQLite file.")]
    public string? BackendStoreUri { get; init; }

    [CommandOption("--json")]
    [Description("Write the applied migrations as JSON.")]
    public bool Json { get; init; }
}

/// <summary><c>flightdeck db upgrade</c>: applies pending schema migrations.</summary>
public sealed class DbUpgradeCommand(IAnsiConsole console) : AsyncCommand<DbUpgradeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DbUpgradeSettings settings, CancellationToken cancellationToken)
    {
        var uri = settings.BackendStoreUri ?? new ServerOptions().BackendStoreUri;
        await using var database = new Database(BackendStoreUri.Parse(uri));
        var applied = await new Migrator(database).UpgradeAsync(cancellationToken);

        if (settings.Json)
        {
            Output.Json(console, new MigrationsResult([.. applied.Select(m => new AppliedMigration(m.Version, m.Name))]),
                Output.Cli.MigrationsResult);
        }
        else if (applied.Count == 0)
        {
            Output.Line(console, "The database is up to date.");
        }
        else
        {
            foreach (var migration in applied)
            {
                Output.Line(console, $"Applied {migration.Version:0000}_{migration.Name}");
            }
        }

        return ExitCodes.Ok;
    }
}
