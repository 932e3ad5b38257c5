using System.ComponentModel;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Client;
using Flightdeck.Serving;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands;

public sealed class ServeSettings : CommandSettings
{
    [CommandOption("-m|--model <URI>")]
    [Description("models:/NAME@ALIAS, models:/NAME/VERSION, models:/NAME/latest, runs:/RUN_ID/PATH, or a local model package folder.")]
    public string Model { get; init; } = "";

    [CommandOption("--host <HOST>")]
    [Description("Interface to listen on. Default 127.0.0.1 (loopback only).")]
    public string Host { get; init; } = "127.0.0.1";

    [CommandOption("-p|--port <PORT>")]
    [Description("Port to listen on; 0 picks a free one. Default 5001.")]
    public int Port { get; init; } = 5001;

    [CommandOption("--tracking-uri <URI>")]
    [Description("Tracking server to resolve models:/ and runs:/ URIs. Default: FLIGHTDECK_TRACKING_URI, MLFLOW_TRACKING_URI or http://127.0.0.1:5000.")]
    public string? TrackingUri { get; init; }

    [CommandOption("--max-batch-size <N>")]
    [Description("Most rows merged into one predict call; 1 disables batching. Default 64.")]
    public int MaxBatchSize { get; init; } = new BatchingOptions().MaxBatchSize;

    [CommandOption("--max-batch-delay-ms <MS>")]
    [Description("How long a request may wait for others to share its batch. Default 2.")]
    public double MaxBatchDelayMs { get; init; } = new BatchingOptions().MaxBatchDelay.TotalMilliseconds;

    [CommandOption("--max-queue <N>")]
    [Description("Requests allowed to wait; beyond it requests get 429 with Retry-After. Default 1024.")]
    public int MaxQueue { get; init; } = new BatchingOptions().MaxQueue;

    [CommandOption("--request-timeout <DURATION>")]
    [Description("How long a request may take (e.g. 30s, 0.5s, 2m); past it the prediction is cancelled and the answer is 504. Default 60s.")]
    public string RequestTimeout { get; init; } = "60s";

    [CommandOption("--inference-log <DIR>")]
    [Description("Log sampled inferences (request id, inputs, outputs, status, latency) as JSON Lines files in DIR, rotated hourly and by size. Off by default.")]
    public string? InferenceLog { get; init; }

    [CommandOption("--inference-log-sample-rate <RATE>")]
    [Description("Share of requests the inference log keeps, 0 to 1. Default 1.")]
    public double InferenceLogSampleRate { get; init; } = 1.0;

    public override ValidationResult Validate()
    {
        if (InferenceLogSampleRate is < 0 or > 1 || double.IsNaN(InferenceLogSampleRate))
            return ValidationResult.Error("--inference-log-sample-rate must be between 0 and 1.");
        if (InferenceLog is { Length: 0 })
            return ValidationResult.Error("--inference-log needs a folder.");
        if (string.IsNullOrWhiteSpace(Model))
            return ValidationResult.Error("--model is required.");
        if (Port is < 0 or > 65535)
            return ValidationResult.Error("--port must be between 0 and 65535.");
        if (MaxBatchSize < 1)
            return ValidationResult.Error("--max-batch-size must be at least 1.");
        if (MaxBatchDelayMs is < 0 or > 60_000 || double.IsNaN(MaxBatchDelayMs))
            return ValidationResult.Error("--max-batch-delay-ms must be between 0 and 60000.");
        return MaxQueue < 1 ? ValidationResult.Error("--max-queue must be at least 1.") : ValidationResult.Success();
    }
}

/// <summary><c>flightdeck serve</c>: a lean serving process for one model (the counterpart of <c>mlflow models serve</c>),
/// answering MLflow's /invocations and the Open Inference Protocol v2 until Ctrl+C.</summary>
public sealed class ServeCommand(IAnsiConsole console) : AsyncCommand<ServeSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ServeSettings settings, CancellationToken cancellationToken)
    {
        string? downloaded = null;
        try
        {
            var requestTimeout = Duration.Parse(settings.RequestTimeout, "--request-timeout");
            if (requestTimeout <= TimeSpan.Zero)
                throw new CliUsageException("--request-timeout must be longer than zero.");
            var (name, version, directory) = await LocateAsync(settings, cancellationToken, path => downloaded = path);
            var batching = new BatchingOptions
            {
                MaxBatchSize = settings.MaxBatchSize,
                MaxBatchDelay = TimeSpan.FromMilliseconds(settings.MaxBatchDelayMs),
                MaxQueue = settings.MaxQueue,
            };
            await using var host = new ModelHost();
            var model = await host.LoadAsync(name, version, directory, batching, source: settings.Model, cancellationToken: cancellationToken);
            console.MarkupLine($"Loaded [bold]{Markup.Escape(name)}[/] version {Markup.Escape(version)} ({Markup.Escape(model.Predictor.Flavor)}) from {Markup.Escape(settings.Model)}");

            await using var app = ServingApp.Build(host, new ServingOptions
            {
                Host = settings.Host,
                Port = settings.Port,
                RequestTimeout = requestTimeout,
                InferenceLogDirectory = settings.InferenceLog,
                InferenceLogSampleRate = settings.InferenceLogSampleRate,
            });
            await app.StartAsync(cancellationToken);
            foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
                console.MarkupLine($"Serving listening on [link]{Markup.Escape(address)}[/] (POST /invocations, /v2/models/{Markup.Escape(name)}/infer; Ctrl+C to stop)");
            try
            {
                await app.WaitForShutdownAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: fall through to a clean stop.
            }
            await app.StopAsync(CancellationToken.None);
            if (settings.InferenceLog is { } log)
                console.MarkupLine($"Inference log in {Markup.Escape(Path.GetFullPath(log))}");
            console.MarkupLine("Serving stopped.");
            return ExitCodes.Ok;
        }
        finally
        {
            if (downloaded is not null)
                TryDelete(downloaded);
        }
    }

    /// <summary>The served name and version and the local package folder: the folder itself for a local path, else a
    /// fresh download through the tracking server.</summary>
    private static async Task<(string Name, string Version, string Directory)> LocateAsync(
        ServeSettings settings, CancellationToken cancellationToken, Action<string> onDownload)
    {
        if (Directory.Exists(settings.Model))
        {
            var full = Path.GetFullPath(settings.Model);
            return (Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar)), "1", full);
        }
        if (!ModelUri.TryParse(settings.Model, out var uri, out var error))
            throw new CliUsageException($"--model: no folder at '{settings.Model}', and it is not a model URI ({error}).");
        var target = Directory.CreateTempSubdirectory("flightdeck-serve-").FullName;
        onDownload(target);
        using var client = new FlightdeckClient(FlightdeckClient.ResolveTrackingUri(settings.TrackingUri));
        var downloaded = await client.DownloadModelAsync(uri.Text, target, cancellationToken: cancellationToken);
        var name = uri.Name ?? (uri.ArtifactPath is { Length: > 0 } path ? path.TrimEnd('/').Split('/')[^1] : "model");
        var version = downloaded.Model.ModelVersion?.Version ?? "1";
        return (name, version, downloaded.LocalPath);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to reclaim with the temp folder.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
