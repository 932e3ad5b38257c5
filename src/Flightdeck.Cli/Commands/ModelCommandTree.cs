using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands;

/// <summary>The <c>models</c> branch: the model registry, through the SDK.</summary>
internal static class ModelCommandTree
{
    public static void Configure(IConfigurator<CommandSettings> models)
    {
        models.SetDescription("Browse the model registry, move aliases and download models.");
        models.AddCommand<ListModelsCommand>("list").WithDescription("List registered models, with a filter and ordering.");
        models.AddCommand<ShowModelCommand>("show").WithDescription("Show a registered model: latest versions, aliases and tags.");
        models.AddCommand<ModelVersionsCommand>("versions").WithDescription("List a model's versions, newest first.");
        models.AddBranch("alias", alias =>
        {
            alias.SetDescription("Point aliases (e.g. champion) at versions.");
            alias.AddCommand<SetModelAliasCommand>("set").WithDescription("Point an alias at a version.");
            alias.AddCommand<DeleteModelAliasCommand>("delete").WithDescription("Delete an alias.");
        });
        models.AddCommand<DownloadModelCommand>("download").WithDescription("Download a model by URI (runs:/, models:/name/3, models:/name@alias).");
        models.AddCommand<BuildDockerCommand>("build-docker").WithDescription("Write a Docker build context serving a model version.");
        models.AddCommand<ModelHistoryCommand>("history").WithDescription("Show a model's timeline, or which version an alias held at a time.");
    }
}
