using Flightdeck.Cli.Commands;
using Flightdeck.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli;

/// <summary>The command tree of <c>flightdeck</c>.</summary>
public static class CliApp
{
    /// <summary>The app writing results to <paramref name="console"/> and error lines to <paramref name="errors"/>.</summary>
    public static CommandApp Create(IAnsiConsole console, IAnsiConsole errors)
    {
        var app = new CommandApp();
        app.Configure(config => Configure(config, console, errors));
        return app;
    }

    public static void Configure(IConfigurator config, IAnsiConsole console, IAnsiConsole errors)
    {
        config.SetApplicationName("flightdeck");
        config.UseStrictParsing();
        config.ConfigureConsole(console);
        config.SetExceptionHandler((exception, _) => ErrorReport.Write(errors, exception));
        config.CancellationExitCode(ExitCodes.Cancelled);

        config.AddCommand<ServerCommand>("server").WithDescription("Run the tracking server.");
        config.AddCommand<ServeCommand>("serve").WithDescription("Serve a model over HTTP (MLflow /invocations and Open Inference v2).");
        config.AddBranch("db", db =>
        {
            db.SetDescription("Manage the backend store.");
            db.AddCommand<DbUpgradeCommand>("upgrade").WithDescription("Apply pending schema migrations.");
        });
        config.AddBranch("experiments", experiments =>
        {
            experiments.SetDescription("Manage experiments on a tracking server.");
            experiments.AddCommand<ListExperimentsCommand>("list").WithDescription("List experiments.");
            experiments.AddCommand<ListExperimentsCommand>("search").WithDescription("Search experiments with a filter and ordering.");
            experiments.AddCommand<GetExperimentCommand>("get").WithDescription("Show an experiment, by id or name.");
            experiments.AddCommand<CreateExperimentCommand>("create").WithDescription("Create an experiment.");
            experiments.AddCommand<RenameExperimentCommand>("rename").WithDescription("Rename an experiment.");
            experiments.AddCommand<DeleteExperimentCommand>("delete").WithDescription("Delete an experiment (restorable until garbage-collected).");
            experiments.AddCommand<RestoreExperimentCommand>("restore").WithDescription("Restore a deleted experiment.");
        });
        config.AddBranch("runs", runs =>
        {
            runs.SetDescription("Manage runs on a tracking server.");
            runs.AddCommand<ListRunsCommand>("list").WithDescription("List the runs of experiments.");
            runs.AddCommand<ListRunsCommand>("search").WithDescription("Search runs with a filter and ordering.");
            runs.AddCommand<GetRunCommand>("get").WithDescription("Show a run with its params, metrics and tags.");
            runs.AddCommand<DeleteRunCommand>("delete").WithDescription("Delete a run (restorable until garbage-collected).");
            runs.AddCommand<RestoreRunCommand>("restore").WithDescription("Restore a deleted run.");
        });
        config.AddBranch("artifacts", artifacts =>
        {
            artifacts.SetDescription("List, upload and download run artifacts.");
            artifacts.AddCommand<ListArtifactsCommand>("list").WithDescription("List a run's artifacts.");
            artifacts.AddCommand<UploadArtifactsCommand>("upload").WithDescription("Upload a file or directory to a run.");
            artifacts.AddCommand<DownloadArtifactsCommand>("download").WithDescription("Download a run's artifact file or directory.");
        });
        config.AddBranch("models", ModelCommandTree.Configure);
        config.AddCommand<LineageCommand>("lineage").WithDescription("Show the lineage graph around a dataset, run, model version or job as a tree.");
        config.AddBranch("datasets", DatasetCommandTree.Configure);
        config.AddBranch("endpoints", Commands.Endpoints.EndpointCommandTree.Configure);
        config.AddCommand<HealthCheckCommand>("healthcheck").WithDescription("Exit 0 when a URL answers 2xx (the serving images' HEALTHCHECK).");
        config.AddCommand<GcCommand>("gc").WithDescription("Permanently delete runs and experiments deleted long enough ago.");
    }
}
