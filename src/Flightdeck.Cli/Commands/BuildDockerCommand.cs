using System.ComponentModel;
using System.Diagnostics;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Cli.Packaging;
using Flightdeck.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands;

public sealed class BuildDockerSettings : ConnectionSettings
{
    [CommandArgument(0, "<MODEL-URI>")]
    [Description("models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/latest or runs:/<run_id>/<path>.")]
    public string ModelUri { get; init; } = "";

    [CommandOption("-o|--output <DIRECTORY>")]
    [Description("Build context directory to write (created if missing; must not already hold a context unless --force). Required.")]
    public string Output { get; init; } = "";

    [CommandOption("--image-name <NAME>")]
    [Description("Image name for the README's commands and labels. Default flightdeck-<model>:<version>.")]
    public string? ImageName { get; init; }

    [CommandOption("--base-image <IMAGE>")]
    [Description("Runtime base image. Default mcr.microsoft.com/dotnet/aspnet:10.0.")]
    [DefaultValue(DockerContext.DefaultBaseImage)]
    public string BaseImage { get; init; } = DockerContext.DefaultBaseImage;

    [CommandOption("--publish")]
    [Description("Also run `dotnet publish` of the CLI into <DIRECTORY>/app (needs the .NET SDK and the Flightdeck sources).")]
    public bool Publish { get; init; }

    [CommandOption("--cli-project <CSPROJ>")]
    [Description("With --publish: the CLI project. Default: src/Flightdeck.Cli/Flightdeck.Cli.csproj in this or a parent directory.")]
    public string? CliProject { get; init; }

    [CommandOption("--runtime <RID>")]
    [Description("Runtime identifier of the image's platform for the publish: linux-x64 (default) or linux-arm64.")]
    [DefaultValue(DockerContext.DefaultRuntime)]
    public string Runtime { get; init; } = DockerContext.DefaultRuntime;

    [CommandOption("--force")]
    [Description("Replace the model and Dockerfile of an existing context.")]
    public bool Force { get; init; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Output))
        {
            return ValidationResult.Error("--output is required.");
        }

        if (ImageName is not null && !DockerContext.IsImageReference(ImageName))
        {
            return ValidationResult.Error($"--image-name '{ImageName}' is not a Docker image name (lowercase, e.g. registry.local:5000/fraud:3).");
        }

        if (!DockerContext.IsImageReference(BaseImage.ToLowerInvariant()) && !BaseImage.Contains('@', StringComparison.Ordinal))
        {
            return ValidationResult.Error($"--base-image '{BaseImage}' is not an image reference.");
        }

        if (Runtime is not ("linux-x64" or "linux-arm64" or "linux-musl-x64" or "linux-musl-arm64"))
        {
            return ValidationResult.Error("--runtime must be linux-x64, linux-arm64, linux-musl-x64 or linux-musl-arm64.");
        }

        return Client.ModelUri.TryParse(ModelUri, out _, out var error) ? ValidationResult.Success() : ValidationResult.Error(error);
    }
}

/// <summary>JSON result of <c>models build-docker</c>.</summary>
internal sealed record BuildDockerResult(string ModelUri, string? Name, string? Version, string ImageName, string Context, bool Published, string PublishCommand);

/// <summary>
/// <c>models build-docker</c>: resolves a model version once, downloads its package into the context's model/ folder and
/// writes a Dockerfile serving it with <c>flightdeck serve</c>, plus a .dockerignore and a README; --publish also puts the CLI in app/.
/// </summary>
public sealed class BuildDockerCommand(IAnsiConsole console) : AsyncCommand<BuildDockerSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BuildDockerSettings settings, CancellationToken cancellationToken)
    {
        var contextDir = Path.GetFullPath(settings.Output);
        var modelDir = Path.Combine(contextDir, DockerContext.ModelDirectory);
        var dockerfile = Path.Combine(contextDir, "Dockerfile");
        if (!settings.Force && (File.Exists(dockerfile) || Directory.Exists(modelDir)))
        {
            throw new CliUsageException($"{contextDir} already holds a build context; pass --force to replace it.");
        }

        using var client = settings.CreateClient();
        var model = await client.ResolveModelUriAsync(settings.ModelUri, cancellationToken);
        if (Directory.Exists(modelDir))
        {
            Directory.Delete(modelDir, recursive: true);
        }

        var downloaded = await client.DownloadModelAsync(model, modelDir, cancellationToken: cancellationToken);
        if (!File.Exists(Path.Combine(modelDir, "MLmodel")))
        {
            throw new CliUsageException($"{settings.ModelUri} is not a model package: {downloaded.LocalPath} has no MLmodel file.");
        }

        var version = model.ModelVersion;
        var name = version?.Name ?? model.ArtifactPath?.TrimEnd('/').Split('/')[^1] ?? "model";
        var spec = new DockerImageSpec(settings.ModelUri, name, version?.Version, model.RunId,
            settings.ImageName ?? DockerContext.DefaultImageName(name, version?.Version ?? model.RunId?[..Math.Min(12, model.RunId.Length)]),
            settings.BaseImage, settings.Runtime)
        {
            HasInputExample = File.Exists(Path.Combine(modelDir, "input_example.json")),
        };
        var appDir = Path.Combine(contextDir, DockerContext.AppDirectory);
        var cliProject = settings.CliProject ?? FindCliProject() ?? "src/Flightdeck.Cli/Flightdeck.Cli.csproj";
        var publishCommand = DockerContext.PublishCommand(cliProject, settings.Runtime, appDir);
        await File.WriteAllTextAsync(dockerfile, DockerContext.Dockerfile(spec), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(contextDir, ".dockerignore"), DockerContext.DockerIgnore(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(contextDir, "README.md"), DockerContext.Readme(spec, publishCommand), cancellationToken);

        if (settings.Publish)
        {
            if (!File.Exists(cliProject))
            {
                throw new CliUsageException($"--publish: no CLI project at '{cliProject}'; run from the Flightdeck repository or pass --cli-project.");
            }

            if (!settings.Json)
            {
                Output.Line(console, $"Publishing the CLI: {publishCommand}");
            }

            await PublishAsync(cliProject, settings.Runtime, appDir, cancellationToken);
        }

        if (settings.Json)
        {
            Output.Json(console, new BuildDockerResult(settings.ModelUri, version?.Name, version?.Version, spec.ImageName, contextDir, settings.Publish,
                publishCommand), ModelsJsonContext.Indented.BuildDockerResult);
            return ExitCodes.Ok;
        }

        var what = version is null ? $"run {model.RunId}" : $"model '{version.Name}' version {version.Version}";
        Output.Line(console, $"Wrote a build context for {what} to {contextDir} (Dockerfile, .dockerignore, README.md, model/).");
        if (!settings.Publish)
        {
            Output.Line(console, $"Put the CLI in app/ first: {publishCommand}");
        }

        Output.Line(console, $"Then: docker build -t {spec.ImageName} {contextDir}");
        return ExitCodes.Ok;
    }

    /// <summary>src/Flightdeck.Cli/Flightdeck.Cli.csproj in the working directory or one of its parents.</summary>
    private static string? FindCliProject()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Flightdeck.Cli", "Flightdeck.Cli.csproj");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static async Task PublishAsync(string cliProject, string runtime, string appDir, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "publish", cliProject, "-c", "Release", "-r", runtime, "--self-contained", "false", "-o", appDir, "--nologo" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new CliUsageException("--publish: could not start `dotnet`; is the .NET SDK installed?");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            var log = (await output + await errors).Trim();
            throw new CliUsageException($"dotnet publish failed (exit {process.ExitCode}): {log[Math.Max(0, log.Length - 2000)..]}");
        }
    }
}
