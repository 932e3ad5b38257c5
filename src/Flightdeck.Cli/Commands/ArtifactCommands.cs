using System.ComponentModel;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Client;
using Flightdeck.Contracts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands;

public class ArtifactSettings : ConnectionSettings
{
    [CommandOption("--run-id <RUN-ID>")]
    [Description("The run whose artifacts to use. Required.")]
    public string RunId { get; init; } = "";

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(RunId) ? ValidationResult.Error("--run-id is required.") : ValidationResult.Success();
}

public sealed class ListArtifactsSettings : ArtifactSettings
{
    [CommandOption("--path <PATH>")]
    [Description("Directory inside the run's artifacts. Default: the root.")]
    public string? Path { get; init; }
}

/// <summary><c>artifacts list</c>.</summary>
public sealed class ListArtifactsCommand(IAnsiConsole console) : AsyncCommand<ListArtifactsSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ListArtifactsSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var files = new List<Contracts.FileInfo>();
        string? rootUri = null;
        string? token = null;
        do
        {
            var page = await client.ListArtifactsAsync(settings.RunId, settings.Path, token, cancellationToken);
            rootUri ??= page.RootUri;
            files.AddRange(page.Files);
            token = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(token));

        if (settings.Json)
        {
            Output.Json(console, new ListArtifactsResponse { RootUri = rootUri, Files = files }, Output.Contracts.ListArtifactsResponse);
            return ExitCodes.Ok;
        }

        var table = Output.Table("Path", "Type", "Size");
        foreach (var file in files)
        {
            Output.Row(table, file.Path, file.IsDir ? "dir" : "file", file.IsDir ? "" : Output.Size(file.FileSize));
        }

        console.Write(table);
        return ExitCodes.Ok;
    }
}

public sealed class UploadArtifactsSettings : ArtifactSettings
{
    [CommandArgument(0, "<LOCAL-PATH>")]
    [Description("File or directory to upload; a directory's contents go under --artifact-path.")]
    public string LocalPath { get; init; } = "";

    [CommandOption("--artifact-path <PATH>")]
    [Description("Directory inside the run's artifacts. Default: the root.")]
    public string? ArtifactPath { get; init; }
}

/// <summary><c>artifacts upload</c>: streams the file(s), with a progress bar for large transfers.</summary>
public sealed class UploadArtifactsCommand(IAnsiConsole console) : AsyncCommand<UploadArtifactsSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, UploadArtifactsSettings settings, CancellationToken cancellationToken)
    {
        var total = LocalSize(settings.LocalPath);
        using var client = settings.CreateClient();
        var files = await TransferProgress.RunAsync(console, settings.Json, $"Uploading {Path.GetFileName(settings.LocalPath.TrimEnd('/'))}", total,
            progress => client.UploadArtifactAsync(settings.RunId, settings.LocalPath, settings.ArtifactPath, progress, cancellationToken));

        if (settings.Json)
        {
            Output.Json(console, new UploadResult(settings.RunId, settings.ArtifactPath ?? "", files, total), Output.Cli.UploadResult);
        }
        else
        {
            Output.Line(console, $"Uploaded {files} file(s), {Output.Size(total)}, to run {settings.RunId}.");
        }

        return ExitCodes.Ok;
    }

    private static long LocalSize(string path) =>
        File.Exists(path) ? new System.IO.FileInfo(path).Length
        : Directory.Exists(path) ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
        : throw new FileNotFoundException($"No file or directory at '{path}'.", path);
}

public sealed class DownloadArtifactsSettings : ArtifactSettings
{
    [CommandOption("--artifact-path <PATH>")]
    [Description("File or directory inside the run's artifacts. Default: everything.")]
    public string? ArtifactPath { get; init; }

    [CommandOption("-d|--dest <DIRECTORY>")]
    [Description("Local directory to download into. Default: the current directory.")]
    public string Destination { get; init; } = ".";
}

/// <summary><c>artifacts download</c>: streams to disk, with a progress bar for large transfers.</summary>
public sealed class DownloadArtifactsCommand(IAnsiConsole console) : AsyncCommand<DownloadArtifactsSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DownloadArtifactsSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var total = await RemoteSizeAsync(client, settings.RunId, settings.ArtifactPath, cancellationToken);
        var local = await TransferProgress.RunAsync(console, settings.Json, $"Downloading {settings.ArtifactPath ?? settings.RunId}", total,
            progress => client.DownloadArtifactAsync(settings.RunId, settings.ArtifactPath, settings.Destination, progress, cancellationToken));

        if (settings.Json)
        {
            Output.Json(console, new DownloadResult(settings.RunId, settings.ArtifactPath ?? "", Path.GetFullPath(local), total), Output.Cli.DownloadResult);
        }
        else
        {
            Output.Line(console, $"Downloaded {Output.Size(total)} to {local}.");
        }

        return ExitCodes.Ok;
    }

    /// <summary>The bytes to download, from the listings (a file's size comes from its parent's listing).</summary>
    private static async Task<long> RemoteSizeAsync(FlightdeckClient client, string runId, string? artifactPath, CancellationToken cancellationToken)
    {
        var root = await client.ResolveArtifactRootAsync(runId, cancellationToken);
        var relative = ArtifactPath.Normalize(artifactPath);
        var listing = await client.ListProxiedArtifactsAsync(ArtifactPath.Combine(root, relative), cancellationToken);
        if (listing.Files.Count == 0 && relative.Length > 0)
        {
            var slash = relative.LastIndexOf('/');
            var parent = await client.ListProxiedArtifactsAsync(ArtifactPath.Combine(root, slash < 0 ? "" : relative[..slash]), cancellationToken);
            var name = relative[(slash + 1)..];
            return parent.Files.FirstOrDefault(f => f.Path.Split('/')[^1] == name)?.FileSize ?? 0;
        }

        long total = 0;
        var pending = new Stack<(string Path, List<Contracts.FileInfo> Files)>();
        pending.Push((ArtifactPath.Combine(root, relative), listing.Files));
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
