using System.ComponentModel;
using System.Text.Json;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands.Endpoints;

public sealed class InvokeEndpointSettings : EndpointNameSettings
{
    [CommandOption("-d|--data <FILE>")]
    [Description("Request body: an MLflow scoring JSON (dataframe_split, dataframe_records, instances or inputs), a .csv file, or - for stdin. Required.")]
    public string Data { get; init; } = "";

    [CommandOption("--content-type <TYPE>")]
    [Description("Media type of the body. Default: text/csv for .csv files, else application/json.")]
    public string? ContentType { get; init; }

    [CommandOption("--pin-version <VERSION>")]
    [Description("Serve this version of the endpoint's routes.")]
    public string? PinVersion { get; init; }

    [CommandOption("--routing-key <KEY>")]
    [Description("Requests with the same key reach the same version while the weights stay.")]
    public string? RoutingKey { get; init; }

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Data) ? ValidationResult.Error("--data is required (a file, or - for stdin).") : ValidationResult.Success();
}

/// <summary><c>endpoints invoke</c>: one scoring request; prints the answer's JSON and, on a terminal, which version served it.</summary>
public sealed class InvokeEndpointCommand(IAnsiConsole console) : AsyncCommand<InvokeEndpointSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, InvokeEndpointSettings settings, CancellationToken cancellationToken)
    {
        byte[] body;
        if (settings.Data == "-")
        {
            using var buffer = new MemoryStream();
            await Console.OpenStandardInput().CopyToAsync(buffer, cancellationToken);
            body = buffer.ToArray();
        }
        else
        {
            body = await File.ReadAllBytesAsync(settings.Data, cancellationToken);
        }

        var contentType = settings.ContentType
            ?? (settings.Data.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? "text/csv" : "application/json");
        using var client = settings.CreateClient();
        var answer = await client.InvokeEndpointAsync(settings.Name, body,
            new EndpointInvocationOptions { ContentType = contentType, PinVersion = settings.PinVersion, RoutingKey = settings.RoutingKey },
            cancellationToken);
        if (!settings.Json)
        {
            Output.Line(console, $"Served by version {answer.ServedVersion ?? "(not reported)"}:");
        }

        console.Profile.Out.Writer.WriteLine(Indented(answer.Body));
        return ExitCodes.Ok;
    }

    private static string Indented(JsonElement json)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
