using System.ComponentModel;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands;

public sealed class DownloadModelSettings : ConnectionSettings
{
    [CommandArgument(0, "<MODEL-URI>")]
    [Description("runs:/<run_id>/<path>, models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/<stage> or models:/<name>/latest.")]
    public string ModelUri { get; init; } = "";

    [CommandOption("-d|--dst <DIRECTORY>")]
    [Description("Local directory to download the model's files into. Required.")]
    public string Destination { get; init; } = "";

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Destination))
        {
            return ValidationResult.Error("--dst is required.");
        }

        return Client.ModelUri.TryParse(ModelUri, out _, out var error) ? ValidationResult.Success() : ValidationResult.Error(error);
    }
}

/// <summary><c>models download</c>: resolves a model URI once, then streams the model's files to disk.</summary>
public sealed class DownloadModelCommand(IAnsiConsole console) : AsyncCommand<DownloadModelSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DownloadModelSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var model = await client.ResolveModelUriAsync(settings.ModelUri, cancellationToken);
        var total = await RemoteSizeAsync(client, model.ArtifactUri, cancellationToken);
        var downloaded = await TransferProgress.RunAsync(console, settings.Json, $"Downloading {settings.ModelUri}", total,
            progress => client.DownloadModelAsync(model, settings.Destination, progress, cancellationToken));

        var version = model.ModelVersion;
        if (settings.Json)
        {
            Output.Json(console, new ModelDownloadResult(settings.ModelUri, version?.Name, version?.Version, model.RunId, model.ArtifactUri,
                Path.GetFullPath(downloaded.LocalPath), total), ModelsJsonContext.Indented.ModelDownloadResult);
        }
        else
        {
            var what = version is null ? $"run {model.RunId}" : $"model '{version.Name}' version {version.Version}";
            Output.Line(console, $"Downloaded {what}, {Output.Size(total)}, to {downloaded.LocalPath}.");
        }

        return ExitCodes.Ok;
    }

    /// <summary>The bytes to download: the sizes in the folder's listings, or the file's size in its parent's listing.</summary>
    private static async Task<long> RemoteSizeAsync(FlightdeckClient client, string artifactUri, CancellationToken cancellationToken)
    {
        var root = ArtifactPath.ToProxyPath(artifactUri);
        var listing = await client.ListProxiedArtifactsAsync(root, cancellationToken);
        if (listing.Files.Count == 0)
        {
            var slash = root.LastIndexOf('/');
            var parent = await client.ListProxiedArtifactsAsync(slash < 0 ? "" : root[..slash], cancellationToken);
            return parent.Files.FirstOrDefault(f => f.Path.Split('/')[^1] == root[(slash + 1)..])?.FileSize ?? 0;
        }

        long total = 0;
        var pending = new Stack<(string Path, List<Contracts.FileInfo> Files)>();
        pending.Push((root, listing.Files));
        while (pending.TryPop(out var folder))
        {
            foreach (var entry in folder.Files)
            {
                var path = ArtifactPath.Combine(folder.Path, entry.Path.Split('/')[^1]);
                if (entry.IsDir)
                {
                    pending.Push((path, (await client.ListProxiedArtifactsAsync(path, cancellationToken)).Files));
                }
                else
                {
                    total += entry.FileSize ?? 0;
                }
            }
        }

        return total;
    }
}
