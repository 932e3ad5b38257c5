using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands.Endpoints;

/// <summary>The <c>endpoints</c> branch: managed serving endpoints and their rollouts, through the SDK.</summary>
internal static class EndpointCommandTree
{
    public static void Configure(IConfigurator<CommandSettings> endpoints)
    {
        endpoints.SetDescription("Manage serving endpoints: traffic between model versions, progressive rollouts, promote and rollback.");
        endpoints.AddCommand<CreateEndpointCommand>("create").WithDescription("Create an endpoint serving one model version.");
        endpoints.AddCommand<ListEndpointsCommand>("list").WithDescription("List endpoints with their traffic and rollout.");
        endpoints.AddCommand<EndpointStatusCommand>("status").WithDescription("Show an endpoint's routes, rollout, last guardrail reading and events.");
        endpoints.AddCommand<DeployEndpointCommand>("deploy").WithDescription("Roll a version out (canary, linear, blue-green or shadow); --wait follows it.");
        endpoints.AddCommand<PromoteEndpointCommand>("promote").WithDescription("End the rollout in progress: all traffic to the candidate.");
        endpoints.AddCommand<RollbackEndpointCommand>("rollback").WithDescription("End the rollout in progress: all traffic back to the baseline.");
        endpoints.AddCommand<EndpointHistoryCommand>("history").WithDescription("Show an endpoint's events, newest first.");
        endpoints.AddCommand<DeleteEndpointCommand>("delete").WithDescription("Delete an endpoint.");
        endpoints.AddCommand<InvokeEndpointCommand>("invoke").WithDescription("Score a JSON (or CSV) file with an endpoint.");
        endpoints.AddCommand<ExportKubernetesCommand>("export-k8s").WithDescription("Write Kubernetes manifests serving the endpoint's versions.");
    }
}
