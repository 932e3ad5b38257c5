using System.ComponentModel;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Contracts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands.Endpoints;

public class EndpointNameSettings : ConnectionSettings
{
    [CommandArgument(0, "<NAME>")]
    [Description("Endpoint name.")]
    public string Name { get; init; } = "";
}

public sealed class CreateEndpointSettings : EndpointNameSettings
{
    [CommandOption("--model <MODEL>")]
    [Description("Registered model to serve. Required.")]
    public string Model { get; init; } = "";

    [CommandOption("--version <VERSION>")]
    [Description("Version number to serve (or --alias).")]
    public string? Version { get; init; }

    [CommandOption("--alias <ALIAS>")]
    [Description("Serve the version this alias points at now (or --version).")]
    public string? Alias { get; init; }

    [CommandOption("--description <TEXT>")]
    public string? Description { get; init; }

    [CommandOption("--max-batch-size <N>")]
    [Description("Most rows merged into one predict call (server default when absent).")]
    public int? MaxBatchSize { get; init; }

    [CommandOption("--max-batch-delay-ms <MS>")]
    [Description("How long a request may wait for others to share its batch.")]
    public double? MaxBatchDelayMs { get; init; }

    [CommandOption("--request-timeout-ms <MS>")]
    public int? RequestTimeoutMs { get; init; }

    [CommandOption("--log-sample-rate <RATE>")]
    [Description("Share of requests (0–1) logged for monitoring; 0 turns inference logging off.")]
    public double? LogSampleRate { get; init; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Model))
        {
            return ValidationResult.Error("--model is required.");
        }

        return (Version is null) == (Alias is null) ? ValidationResult.Error("Give one of --version and --alias.") : ValidationResult.Success();
    }

    public EndpointSettings? Settings() =>
        MaxBatchSize is null && MaxBatchDelayMs is null && RequestTimeoutMs is null && LogSampleRate is null
            ? null
            : new EndpointSettings
            {
                MaxBatchSize = MaxBatchSize,
                MaxBatchDelayMs = MaxBatchDelayMs,
                RequestTimeoutMs = RequestTimeoutMs,
                InferenceLogSampleRate = LogSampleRate,
            };
}

/// <summary><c>endpoints create</c>.</summary>
public sealed class CreateEndpointCommand(IAnsiConsole console) : AsyncCommand<CreateEndpointSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, CreateEndpointSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var endpoint = await client.CreateEndpointAsync(settings.Name, settings.Model, settings.Version, settings.Alias, settings.Description,
            settings.Settings(), cancellationToken);
        if (settings.Json)
        {
            Output.Json(console, new EndpointResponse(endpoint), EndpointsJson.Indented.EndpointResponse);
        }
        else
        {
            Output.Line(console, $"Created endpoint '{endpoint.Name}' serving {EndpointView.Traffic(endpoint.Routes)}.");
        }

        return ExitCodes.Ok;
    }
}

/// <summary><c>endpoints list</c>.</summary>
public sealed class ListEndpointsCommand(IAnsiConsole console) : AsyncCommand<ConnectionSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ConnectionSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var endpoints = await client.ListEndpointsAsync(cancellationToken);
        if (settings.Json)
        {
            Output.Json(console, new ListEndpointsResponse { Endpoints = endpoints }, EndpointsJson.Indented.ListEndpointsResponse);
            return ExitCodes.Ok;
        }

        var table = Output.Table("Name", "State", "Traffic", "Rollout", "Updated");
        foreach (var endpoint in endpoints)
        {
            var rollout = endpoint.Rollout is { } r ? $"{EndpointView.Strategy(r.Strategy)} v{r.CandidateVersion} {r.Status}" : "";
            Output.Row(table, endpoint.Name, endpoint.State, EndpointView.Traffic(endpoint.Routes), rollout, Output.Time(endpoint.LastUpdatedTimestamp));
        }

        console.Write(table);
        return ExitCodes.Ok;
    }
}

/// <summary><c>endpoints status</c>: routes with weights, the rollout, its last guardrail reading and the latest events.</summary>
public sealed class EndpointStatusCommand(IAnsiConsole console) : AsyncCommand<EndpointNameSettings>
{
    private const int RecentEvents = 5;

    public override async Task<int> ExecuteAsync(CommandContext context, EndpointNameSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var endpoint = await client.GetEndpointAsync(settings.Name, cancellationToken);
        if (settings.Json)
        {
            Output.Json(console, new EndpointResponse(endpoint), EndpointsJson.Indented.EndpointResponse);
            return ExitCodes.Ok;
        }

        var history = await client.GetEndpointHistoryAsync(settings.Name, RecentEvents, cancellationToken: cancellationToken);
        Output.Details(console,
            ("Endpoint", endpoint.Name),
            ("Description", endpoint.Description),
            ("State", endpoint.State),
            ("Created", Output.Time(endpoint.CreationTimestamp)),
            ("Updated", Output.Time(endpoint.LastUpdatedTimestamp)));
        EndpointView.WriteRoutes(console, endpoint.Routes);
        if (endpoint.Rollout is { } rollout)
        {
            EndpointView.WriteRollout(console, rollout);
        }

        Output.Line(console, "Recent events:");
        EndpointView.WriteEvents(console, history.Events.Take(RecentEvents));
        return ExitCodes.Ok;
    }
}

public sealed class RolloutActionSettings : EndpointNameSettings
{
    [CommandOption("--reason <TEXT>")]
    [Description("Why, recorded in the endpoint's history.")]
    public string? Reason { get; init; }
}

/// <summary><c>endpoints promote</c>.</summary>
public sealed class PromoteEndpointCommand(IAnsiConsole console) : AsyncCommand<RolloutActionSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RolloutActionSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var endpoint = await client.PromoteAsync(settings.Name, settings.Reason, cancellationToken);
        return EndpointActionOutput.Write(console, settings, endpoint, "Promoted");
    }
}

/// <summary><c>endpoints rollback</c>.</summary>
public sealed class RollbackEndpointCommand(IAnsiConsole console) : AsyncCommand<RolloutActionSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RolloutActionSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var endpoint = await client.RollbackAsync(settings.Name, settings.Reason, cancellationToken);
        return EndpointActionOutput.Write(console, settings, endpoint, "Rolled back");
    }
}

internal static class EndpointActionOutput
{
    public static int Write(IAnsiConsole console, ConnectionSettings settings, ServingEndpoint endpoint, string verb)
    {
        if (settings.Json)
        {
            Output.Json(console, new EndpointResponse(endpoint), EndpointsJson.Indented.EndpointResponse);
        }
        else
        {
            Output.Line(console, $"{verb} endpoint '{endpoint.Name}': now {EndpointView.Traffic(endpoint.Routes)}.");
        }

        return ExitCodes.Ok;
    }
}

public sealed class EndpointHistorySettings : EndpointNameSettings
{
    [CommandOption("--max-results <N>")]
    [Description("Newest events to show. Default 50.")]
    [DefaultValue(50)]
    public int MaxResults { get; init; } = 50;

    public override ValidationResult Validate() =>
        MaxResults < 1 ? ValidationResult.Error("--max-results must be at least 1.") : ValidationResult.Success();
}

/// <summary><c>endpoints history</c>.</summary>
public sealed class EndpointHistoryCommand(IAnsiConsole console) : AsyncCommand<EndpointHistorySettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, EndpointHistorySettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var events = new List<EndpointEvent>();
        string? pageToken = null;
        do
        {
            var page = await client.GetEndpointHistoryAsync(settings.Name, settings.MaxResults - events.Count, pageToken, cancellationToken);
            events.AddRange(page.Events);
            pageToken = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(pageToken) && events.Count < settings.MaxResults);

        if (settings.Json)
        {
            Output.Json(console, new ListEndpointEventsResponse { Events = events }, EndpointsJson.Indented.ListEndpointEventsResponse);
        }
        else
        {
            EndpointView.WriteEvents(console, events.Take(settings.MaxResults));
        }

        return ExitCodes.Ok;
    }
}

/// <summary><c>endpoints delete</c>.</summary>
public sealed class DeleteEndpointCommand(IAnsiConsole console) : AsyncCommand<EndpointNameSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, EndpointNameSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        // Read first, to say what it served.
        var endpoint = await client.GetEndpointAsync(settings.Name, cancellationToken);
        await client.DeleteEndpointAsync(settings.Name, cancellationToken);
        if (settings.Json)
        {
            Output.Json(console, new EndpointResponse(endpoint), EndpointsJson.Indented.EndpointResponse);
        }
        else
        {
            Output.Line(console, $"Deleted endpoint '{endpoint.Name}' (it served {EndpointView.Traffic(endpoint.Routes)}).");
        }

        return ExitCodes.Ok;
    }
}
