using Flightdeck.Cli.Infrastructure;
using Flightdeck.Client;
using Flightdeck.Contracts;
using Spectre.Console;

namespace Flightdeck.Cli.Commands.Endpoints;

/// <summary>Polls an endpoint until its rollout ends, printing a line for each new step and each new guardrail reading.</summary>
internal sealed class RolloutFollower(IAnsiConsole console, bool quiet)
{
    private int _shownStep = -1;
    private long _shownReading = -1;

    public async Task<ServingEndpoint> FollowAsync(FlightdeckClient client, ServingEndpoint endpoint, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        var rolloutId = endpoint.Rollout!.RolloutId;
        while (true)
        {
            var rollout = endpoint.Rollout;
            if (rollout is null || rollout.RolloutId != rolloutId)
            {
                // Another rollout replaced ours: it ended, and the history says how.
                throw new CliUsageException($"Rollout {rolloutId} is no longer the endpoint's latest; see flightdeck endpoints history {endpoint.Name}.");
            }

            Show(endpoint, rollout);
            if (rollout.Status != RolloutStatus.InProgress)
            {
                Finish(endpoint, rollout);
                return endpoint;
            }

            await Task.Delay(pollInterval, cancellationToken);
            endpoint = await client.GetEndpointAsync(endpoint.Name, cancellationToken);
        }
    }

    private void Show(ServingEndpoint endpoint, EndpointRollout rollout)
    {
        if (quiet)
        {
            return;
        }

        if (rollout.CurrentStep != _shownStep && rollout.Status == RolloutStatus.InProgress)
        {
            _shownStep = rollout.CurrentStep;
            Output.Line(console, $"Step {EndpointView.Step(rollout)}: {EndpointView.Traffic(endpoint.Routes)} (baking {rollout.BakeSeconds}s)");
        }

        if (rollout.LastReading is { } reading && reading.Timestamp != _shownReading)
        {
            _shownReading = reading.Timestamp;
            Output.Line(console, $"  {Output.Time(reading.Timestamp)} {EndpointView.Reading(reading)}");
        }
    }

    private void Finish(ServingEndpoint endpoint, EndpointRollout rollout)
    {
        if (quiet)
        {
            return;
        }

        var why = string.IsNullOrEmpty(rollout.Reason) ? "" : $": {rollout.Reason}";
        Output.Line(console, rollout.Status == RolloutStatus.RolledBack
            ? $"Rolled back{why}. Now {EndpointView.Traffic(endpoint.Routes)}."
            : $"Rollout succeeded{why}. Now {EndpointView.Traffic(endpoint.Routes)}.");
    }
}
