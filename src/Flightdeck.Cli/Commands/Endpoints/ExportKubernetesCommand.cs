using System.ComponentModel;
using System.Net;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Cli.Packaging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Commands.Endpoints;

public sealed class ExportKubernetesSettings : EndpointNameSettings
{
    [CommandOption("-o|--output <DIRECTORY>")]
    [Description("Directory to write the manifests and a kustomization.yaml into (created if missing). Required.")]
    public string Output { get; init; } = "";

    [CommandOption("--image <IMAGE>")]
    [Description("Serving image holding the flightdeck CLI at /opt/flightdeck (any image from models build-docker). Default flightdeck-serving:latest.")]
    [DefaultValue("flightdeck-serving:latest")]
    public string Image { get; init; } = "flightdeck-serving:latest";

    [CommandOption("--replicas <N>")]
    [Description("Replicas per version, and the autoscaler's minimum. Default 2.")]
    [DefaultValue(2)]
    public int Replicas { get; init; } = 2;

    [CommandOption("--max-replicas <N>")]
    [Description("The autoscaler's maximum per version. Default 10.")]
    [DefaultValue(10)]
    public int MaxReplicas { get; init; } = 10;

    [CommandOption("--cpu-target <PERCENT>")]
    [Description("Average CPU utilization the autoscaler aims at. Default 70.")]
    [DefaultValue(70)]
    public int CpuTarget { get; init; } = 70;

    [CommandOption("--namespace <NS>")]
    [Description("Namespace of every object (and of the kustomization).")]
    public string? Namespace { get; init; }

    [CommandOption("--serving-tracking-uri <URI>")]
    [Description("The tracking server as the pods reach it (they download their model from it). Default: --tracking-uri.")]
    public string? ServingTrackingUri { get; init; }

    [CommandOption("--gateway <NAME>")]
    [Description("Gateway the HTTPRoute attaches to. Default flightdeck-gateway.")]
    [DefaultValue("flightdeck-gateway")]
    public string Gateway { get; init; } = "flightdeck-gateway";

    [CommandOption("--gateway-namespace <NS>")]
    public string? GatewayNamespace { get; init; }

    [CommandOption("--hostname <HOST>")]
    [Description("Host name the HTTPRoute matches (all when absent).")]
    public string? Hostname { get; init; }

    [CommandOption("--cpu <QUANTITY>")]
    [Description("CPU request per pod. Default 500m.")]
    [DefaultValue("500m")]
    public string Cpu { get; init; } = "500m";

    [CommandOption("--cpu-limit <QUANTITY>")]
    [Description("CPU limit per pod. Default 2.")]
    [DefaultValue("2")]
    public string CpuLimit { get; init; } = "2";

    [CommandOption("--memory <QUANTITY>")]
    [Description("Memory request and limit per pod. Default 1Gi.")]
    [DefaultValue("1Gi")]
    public string Memory { get; init; } = "1Gi";

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Output))
        {
            return ValidationResult.Error("--output is required.");
        }

        if (Replicas < 1 || MaxReplicas < Replicas)
        {
            return ValidationResult.Error("--replicas must be at least 1, and --max-replicas at least --replicas.");
        }

        if (CpuTarget is < 1 or > 100)
        {
            return ValidationResult.Error("--cpu-target must be between 1 and 100.");
        }

        if (Namespace is not null && KubernetesManifests.DnsName(Namespace) != Namespace)
        {
            return ValidationResult.Error($"--namespace '{Namespace}' is not a Kubernetes namespace name (lowercase letters, digits, '-').");
        }

        foreach (var (option, quantity) in new[] { ("--cpu", Cpu), ("--cpu-limit", CpuLimit), ("--memory", Memory) })
        {
            if (!KubernetesQuantity.IsValid(quantity))
            {
                return ValidationResult.Error($"{option} '{quantity}' is not a Kubernetes quantity (e.g. 500m, 2, 1Gi).");
            }
        }

        return string.IsNullOrWhiteSpace(Image) || Image.Any(char.IsWhiteSpace)
            ? ValidationResult.Error("--image must be an image reference.")
            : ValidationResult.Success();
    }
}

/// <summary>JSON result of <c>endpoints export-k8s</c>.</summary>
internal sealed record ExportKubernetesResult(string Endpoint, string Directory, List<string> Files);

/// <summary><c>endpoints export-k8s</c>: reads an endpoint and writes the Kubernetes objects that serve its versions with the same weights.</summary>
public sealed class ExportKubernetesCommand(IAnsiConsole console) : AsyncCommand<ExportKubernetesSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ExportKubernetesSettings settings, CancellationToken cancellationToken)
    {
        using var client = settings.CreateClient();
        var endpoint = await client.GetEndpointAsync(settings.Name, cancellationToken);
        var trackingUri = settings.ServingTrackingUri is null
            ? client.TrackingUri
            : Client.FlightdeckClient.ResolveTrackingUri(settings.ServingTrackingUri);
        var options = new KubernetesExportOptions
        {
            Image = settings.Image,
            Replicas = settings.Replicas,
            MaxReplicas = settings.MaxReplicas,
            TargetCpuUtilization = settings.CpuTarget,
            Namespace = settings.Namespace,
            TrackingUri = trackingUri.ToString().TrimEnd('/'),
            Gateway = settings.Gateway,
            GatewayNamespace = settings.GatewayNamespace,
            Hostname = settings.Hostname,
            CpuRequest = settings.Cpu,
            CpuLimit = settings.CpuLimit,
            Memory = settings.Memory,
        };
        var manifests = KubernetesManifests.Build(endpoint, options);
        var directory = Path.GetFullPath(settings.Output);
        var files = await ManifestWriter.WriteAsync(directory, manifests, settings.Namespace, cancellationToken);

        if (settings.Json)
        {
            Output.Json(console, new ExportKubernetesResult(endpoint.Name, directory, files), ExportJsonContext.Indented.ExportKubernetesResult);
            return ExitCodes.Ok;
        }

        var table = Output.Table("File", "Kind");
        foreach (var manifest in manifests)
        {
            Output.Row(table, manifest.FileName, manifest.Kind);
        }

        console.Write(table);
        Output.Line(console, $"Wrote {manifests.Count} manifests for endpoint '{endpoint.Name}' ({EndpointView.Traffic(endpoint.Routes)}) to {directory}.");
        Output.Line(console, $"Apply with: kubectl apply -k {directory}");
        if (IsLoopback(trackingUri))
        {
            Output.Line(console, $"Note: the pods download their models from {options.TrackingUri}, a loopback address; "
                + "pass --serving-tracking-uri with the address the cluster reaches the tracking server at.");
        }

        return ExitCodes.Ok;
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var address) && IPAddress.IsLoopback(address));
}
