using System.ComponentModel;
using Flightdeck.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands;

public sealed class HealthCheckSettings : CommandSettings
{
    [CommandArgument(0, "[URL]")]
    [Description("Health URL to probe. Default http://127.0.0.1:8080/ping (the serving port of the images build-docker writes).")]
    public string Url { get; init; } = "http://127.0.0.1:8080/ping";

    [CommandOption("--timeout <DURATION>")]
    [Description("How long to wait for the answer. Default 3s.")]
    [DefaultValue("3s")]
    public string Timeout { get; init; } = "3s";

    public override ValidationResult Validate() =>
        Uri.TryCreate(Url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? ValidationResult.Success()
            : ValidationResult.Error($"'{Url}' is not an http(s) URL.");
}

/// <summary>
/// <c>flightdeck healthcheck</c>: exit 0 when the URL answers 2xx, 1 otherwise. It is the container HEALTHCHECK of the
/// images <c>models build-docker</c> writes, because the .NET runtime images carry neither curl nor wget.
/// </summary>
public sealed class HealthCheckCommand(IAnsiConsole console) : AsyncCommand<HealthCheckSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, HealthCheckSettings settings, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = Duration.Parse(settings.Timeout, "--timeout") };
        try
        {
            using var response = await http.GetAsync(settings.Url, cancellationToken);
            Output.Line(console, $"{settings.Url}: HTTP {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? ExitCodes.Ok : ExitCodes.Error;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Output.Line(console, $"{settings.Url}: {ex.Message}");
            return ExitCodes.Error;
        }
    }
}
