using System.ComponentModel;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Server;
using Flightdeck.Server.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands;

public sealed class ServerSettings : CommandSettings
{
    [CommandOption("--host <HOST>")]
    [Description("Interface to listen on. Default 127.0.0.1 (loopback only).")]
    public string Host { get; init; } = "127.0.0.1";

    [CommandOption("--port <PORT>")]
    [Description("Port to listen on; 0 picks a free one. Default 5000.")]
    public int Port { get; init; } = 5000;

    [CommandOption("--backend-store-uri <URI>")]
    [Description("sqlite:path.db, sqlite:///abs/path.db or postgresql://user:pass@host:port/db.")]
    public string? BackendStoreUri { get; init; }

    [CommandOption("--artifacts-destination <URI>")]
    [Description("Local folder or s3://bucket/prefix where artifacts are stored.")]
    public string? ArtifactsDestination { get; init; }

    [CommandOption("--gc-older-than <DURATION>")]
    [Description("Purge runs and experiments deleted longer ago than this (e.g. 30d), hourly. Off by default.")]
    public string? GcOlderThan { get; init; }

    [CommandOption("--openlineage-url <URL>")]
    [Description("Send OpenLineage events for runs (START, COMPLETE/FAIL/ABORT) to this Marquez or OpenLineage endpoint. Off by default.")]
    public string? OpenLineageUrl { get; init; }

    [CommandOption("--openlineage-namespace <NAMESPACE>")]
    [Description("OpenLineage job namespace of the emitted events. Default flightdeck.")]
    public string? OpenLineageNamespace { get; init; }

    [CommandOption("--inference-log-sample-rate <RATE>")]
    [Description("Share (0 to 1) of endpoint inferences written to the inference log, for endpoints that set none. Default 1.")]
    public double InferenceLogSampleRate { get; init; } = 1.0;

    [CommandOption("--inference-log-retention <DURATION>")]
    [Description("Delete inference log rows older than this (e.g. 7d), every 10 minutes. Off by default (kept forever).")]
    public string? InferenceLogRetention { get; init; }

    [CommandOption("--chart-summaries-on-write")]
    [Description("Build chart summaries of metric series as points arrive, so even a series' first chart is fast. Costs log-batch about 15-25% more CPU; off by default (summaries then follow a series' first chart).")]
    public bool ChartSummariesOnWrite { get; init; }

    public override ValidationResult Validate() =>
        Port is < 0 or > 65535 ? ValidationResult.Error("--port must be between 0 and 65535.")
        : InferenceLogSampleRate is < 0 or > 1 || double.IsNaN(InferenceLogSampleRate)
            ? ValidationResult.Error("--inference-log-sample-rate must be between 0 and 1.")
        : OpenLineageUrl is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            ? ValidationResult.Error("--openlineage-url must be an absolute http or https URL.")
            : ValidationResult.Success();
}

/// <summary><c>flightdeck server</c>: hosts the tracking server until Ctrl+C.</summary>
public sealed class ServerCommand(IAnsiConsole console) : AsyncCommand<ServerSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ServerSettings settings, CancellationToken cancellationToken)
    {
        var defaults = new ServerOptions();
        var options = defaults with
        {
            Host = settings.Host,
            Port = settings.Port,
            BackendStoreUri = settings.BackendStoreUri ?? defaults.BackendStoreUri,
            ArtifactsDestination = settings.ArtifactsDestination ?? defaults.ArtifactsDestination,
            GcOlderThan = settings.GcOlderThan is { } gc ? Duration.Parse(gc, "--gc-older-than") : null,
            OpenLineageUrl = settings.OpenLineageUrl,
            OpenLineageNamespace = settings.OpenLineageNamespace ?? defaults.OpenLineageNamespace,
            InferenceLogSampleRate = settings.InferenceLogSampleRate,
            InferenceLogRetention = settings.InferenceLogRetention is { } keep ? RetentionOf(keep) : null,
            ChartSummariesOnWrite = settings.ChartSummariesOnWrite,
        };

        await using var app = await FlightdeckServer.BuildAsync(options, cancellationToken: cancellationToken);
        await app.StartAsync(cancellationToken);
        foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            console.MarkupLine($"Flightdeck listening on [link]{Markup.Escape(address)}[/] (Ctrl+C to stop)");
        }

        try
        {
            await app.WaitForShutdownAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: fall through to a clean stop.
        }

        await app.StopAsync(CancellationToken.None);
        console.MarkupLine("Flightdeck stopped.");
        return ExitCodes.Ok;
    }

    /// <summary>A zero retention would delete the whole inference log on every pass, which is never what was meant.</summary>
    private static TimeSpan RetentionOf(string text)
    {
        var retention = Duration.Parse(text, "--inference-log-retention");
        return retention > TimeSpan.Zero
            ? retention
            : throw new CliUsageException($"--inference-log-retention '{text}' must be longer than zero (e.g. 7d).");
    }
}
