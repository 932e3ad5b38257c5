using System.ComponentModel;
using System.Globalization;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Contracts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands.Endpoints;

public sealed class DeployEndpointSettings : EndpointNameSettings
{
    [CommandOption("--model <MODEL>")]
    [Description("Registered model of the candidate. Default: the model the endpoint serves now.")]
    public string? Model { get; init; }

    [CommandOption("--version <VERSION>")]
    [Description("Version to roll out (or --alias).")]
    public string? Version { get; init; }

    [CommandOption("--alias <ALIAS>")]
    [Description("Roll out the version this alias points at now (or --version).")]
    public string? Alias { get; init; }

    [CommandOption("--strategy <STRATEGY>")]
    [Description("canary (default), linear, blue-green or shadow.")]
    public string? Strategy { get; init; }

    [CommandOption("--steps <PERCENTS>")]
    [Description("The candidate's traffic percent at each step, e.g. 10,50,100 (shadow: the mirrored percent).")]
    public string? Steps { get; init; }

    [CommandOption("--bake <DURATION>")]
    [Description("How long each step bakes under the guardrails, e.g. 60s or 5m.")]
    public string? Bake { get; init; }

    [CommandOption("--termination-wait <DURATION>")]
    [Description("Blue-green: how long the old version stays loaded after the switch, e.g. 5m.")]
    public string? TerminationWait { get; init; }

    [CommandOption("--max-error-rate <RATE>")]
    [Description("Guardrail: largest error rate (0–1) of the candidate, e.g. 0.01.")]
    public double? MaxErrorRate { get; init; }

    [CommandOption("--max-p99 <LATENCY>")]
    [Description("Guardrail: largest p99 latency of the candidate, e.g. 50ms or 0.2s (a bare number is milliseconds).")]
    public string? MaxP99 { get; init; }

    [CommandOption("--max-psi <PSI>")]
    [Description("Guardrail: largest PSI of the candidate's predictions against the live version's, e.g. 0.2.")]
    public double? MaxPsi { get; init; }

    [CommandOption("--min-requests <N>")]
    [Description("Guardrail: candidate requests needed before a step is judged.")]
    public int? MinRequests { get; init; }

    [CommandOption("--wait")]
    [Description("Follow the rollout until it ends, printing each step and guardrail reading; exit 5 when it is rolled back.")]
    public bool Wait { get; init; }

    [CommandOption("--poll-interval <DURATION>")]
    [Description("With --wait: how often to read the rollout. Default 2s.")]
    [DefaultValue("2s")]
    public string PollInterval { get; init; } = "2s";

    public override ValidationResult Validate()
    {
        if ((Version is null) == (Alias is null))
        {
            return ValidationResult.Error("Give one of --version and --alias.");
        }

        if (MaxErrorRate is < 0 or > 1)
        {
            return ValidationResult.Error("--max-error-rate must be between 0 and 1.");
        }

        if (MaxPsi is < 0)
        {
            return ValidationResult.Error("--max-psi must not be negative.");
        }

        return MinRequests is < 1 ? ValidationResult.Error("--min-requests must be at least 1.") : ValidationResult.Success();
    }

    public DeployRequest ToRequest()
    {
        var guardrails = MaxErrorRate is null && MaxP99 is null && MaxPsi is null && MinRequests is null
            ? null
            : new RolloutGuardrails
            {
                MaxErrorRate = MaxErrorRate,
                MaxP99LatencyMs = MaxP99 is null ? null : Milliseconds(MaxP99),
                MaxPredictionPsi = MaxPsi,
                MinRequests = MinRequests,
            };
        return new DeployRequest
        {
            ModelName = Model,
            Version = Version,
            Alias = Alias,
            Strategy = Strategy is null ? null : WireStrategy(Strategy),
            Steps = Steps is null ? null : ParseSteps(Steps),
            BakeSeconds = Bake is null ? null : Seconds(Bake, "--bake"),
            TerminationWaitSeconds = TerminationWait is null ? null : Seconds(TerminationWait, "--termination-wait"),
            Guardrails = guardrails,
        };
    }

    private static string WireStrategy(string strategy) => strategy.Trim().ToLowerInvariant().Replace('_', '-') switch
    {
        "canary" => RolloutStrategy.Canary,
        "linear" => RolloutStrategy.Linear,
        "blue-green" or "bluegreen" => RolloutStrategy.BlueGreen,
        "shadow" => RolloutStrategy.Shadow,
        _ => throw new CliUsageException($"--strategy must be canary, linear, blue-green or shadow, not '{strategy}'."),
    };

    private static List<int> ParseSteps(string text)
    {
        var steps = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var percent) || percent is < 1 or > 100)
            {
                throw new CliUsageException($"--steps '{text}': each step is a percent from 1 to 100, e.g. 10,50,100.");
            }

            steps.Add(percent);
        }

        return steps.Count > 0 ? steps : throw new CliUsageException("--steps needs at least one percent, e.g. 10,50,100.");
    }

    private static int Seconds(string text, string option)
    {
        var span = Duration.Parse(text, option);
        return span.TotalSeconds <= int.MaxValue ? (int)Math.Ceiling(span.TotalSeconds) : throw new CliUsageException($"{option} '{text}' is too long.");
    }

    /// <summary>A latency limit: 50ms, 0.2s, or a bare number of milliseconds.</summary>
    internal static double Milliseconds(string text)
    {
        var trimmed = text.Trim().ToLowerInvariant();
        var (number, scale) = trimmed.EndsWith("ms", StringComparison.Ordinal) ? (trimmed[..^2], 1.0)
            : trimmed.EndsWith('s') ? (trimmed[..^1], 1000.0)
            : (trimmed, 1.0);
        return double.TryParse(number.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value)
            ? value * scale
            : throw new CliUsageException($"--max-p99 '{text}' is not a latency; use e.g. 50ms or 0.2s.");
    }
}

/// <summary><c>endpoints deploy</c>: starts a rollout; with --wait, follows it step by step until it succeeds or rolls back.</summary>
public sealed class DeployEndpointCommand(IAnsiConsole console) : AsyncCommand<DeployEndpointSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DeployEndpointSettings settings, CancellationToken cancellationToken)
    {
        var request = settings.ToRequest();
        var pollInterval = Duration.Parse(settings.PollInterval, "--poll-interval");
        if (pollInterval <= TimeSpan.Zero)
        {
            throw new CliUsageException("--poll-interval must be positive.");
        }

        using var client = settings.CreateClient();
        var endpoint = await client.DeployAsync(settings.Name, request, cancellationToken);
        var rollout = endpoint.Rollout ?? throw new CliUsageException($"The server started no rollout on endpoint '{endpoint.Name}'.");
        if (!settings.Json)
        {
            Output.Line(console, $"Rolling {rollout.ModelName} v{rollout.CandidateVersion} out to endpoint '{endpoint.Name}' "
                + $"({EndpointView.Strategy(rollout.Strategy)}, steps {string.Join(",", rollout.Steps)}%, bake {rollout.BakeSeconds}s; "
                + $"rollout {rollout.RolloutId}).");
        }

        if (settings.Wait)
        {
            endpoint = await new RolloutFollower(console, settings.Json).FollowAsync(client, endpoint, pollInterval, cancellationToken);
            rollout = endpoint.Rollout!;
        }

        if (settings.Json)
        {
            Output.Json(console, new EndpointResponse(endpoint), EndpointsJson.Indented.EndpointResponse);
        }
        else if (!settings.Wait)
        {
            Output.Line(console, $"Now {EndpointView.Traffic(endpoint.Routes)}. Follow it with: flightdeck endpoints status {endpoint.Name}");
        }

        return rollout.Status == RolloutStatus.RolledBack ? ExitCodes.RolledBack : ExitCodes.Ok;
    }
}
