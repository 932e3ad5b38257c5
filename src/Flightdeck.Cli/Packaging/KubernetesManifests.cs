using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Flightdeck.Contracts;

namespace Flightdeck.Cli.Packaging;

/// <summary>How the exported manifests run the serving containers.</summary>
internal sealed record KubernetesExportOptions
{
    public string Image { get; init; } = "flightdeck-serving:latest";
    public int Replicas { get; init; } = 2;
    public int MaxReplicas { get; init; } = 10;
    public int TargetCpuUtilization { get; init; } = 70;
    public string? Namespace { get; init; }

    /// <summary>The tracking server as the pods reach it: they resolve and download their models:/ URI from it at start.</summary>
    public string TrackingUri { get; init; } = "";
    public string Gateway { get; init; } = "flightdeck-gateway";
    public string? GatewayNamespace { get; init; }
    public string? Hostname { get; init; }
    public string CpuRequest { get; init; } = "500m";
    public string CpuLimit { get; init; } = "2";
    public string Memory { get; init; } = "1Gi";
}

/// <summary>One manifest file: its name and the Kubernetes object as an ordered map, serialized as one YAML document.</summary>
internal sealed record Manifest(string FileName, OrderedDictionary<string, object> Document)
{
    public string Kind => (string)Document["kind"];
}

/// <summary>
/// Kubernetes objects serving a managed endpoint outside the tracking server: per routed version a Deployment running
/// <c>flightdeck serve --model models:/NAME/VERSION</c>, its Service and a HorizontalPodAutoscaler; and one Gateway API
/// HTTPRoute that splits traffic by the endpoint's weights, mirrors shadow routes, and honours the pin header.
/// </summary>
internal static partial class KubernetesManifests
{
    public const int ServicePort = 80;
    public const string ReadyPath = "/v2/health/ready";
    public const string LivePath = "/v2/health/live";
    public const string StartupPath = "/ping";
    private const string ManagedBy = "flightdeck";
    private const string AppName = "flightdeck-serving";
    private const int MaxNameLength = 63;

    public static List<Manifest> Build(ServingEndpoint endpoint, KubernetesExportOptions options)
    {
        var manifests = new List<Manifest>();
        var oneModel = endpoint.Routes.Select(r => r.ModelName).Distinct().Count() <= 1;
        var backends = new List<(EndpointRoute Route, string Name)>();
        foreach (var route in endpoint.Routes)
        {
            var name = DnsName(oneModel ? $"{endpoint.Name}-v{route.Version}" : $"{endpoint.Name}-{route.ModelName}-v{route.Version}");
            backends.Add((route, name));
            manifests.Add(new Manifest($"{name}-deployment.yaml", Deployment(endpoint, route, name, options)));
            manifests.Add(new Manifest($"{name}-service.yaml", Service(endpoint, route, name, options)));
            manifests.Add(new Manifest($"{name}-hpa.yaml", Autoscaler(endpoint, route, name, options)));
        }

        var routeName = DnsName(endpoint.Name);
        manifests.Add(new Manifest($"{routeName}-httproute.yaml", HttpRoute(endpoint, routeName, backends, options)));
        return manifests;
    }

    /// <summary>A kustomization listing the files, so <c>kubectl apply -k DIR</c> applies them all.</summary>
    public static OrderedDictionary<string, object> Kustomization(IEnumerable<Manifest> manifests, string? ns)
    {
        var kustomization = Map(("apiVersion", "kustomize.config.k8s.io/v1beta1"), ("kind", "Kustomization"));
        if (ns is not null)
        {
            kustomization["namespace"] = ns;
        }

        kustomization["resources"] = manifests.Select(m => (object)m.FileName).ToList();
        return kustomization;
    }

    public static string PathPrefix(ServingEndpoint endpoint) => "/endpoints/" + Uri.EscapeDataString(endpoint.Name);

    public static string ModelUri(EndpointRoute route) => $"models:/{route.ModelName}/{route.Version}";

    private static OrderedDictionary<string, object> Deployment(ServingEndpoint endpoint, EndpointRoute route, string name, KubernetesExportOptions options)
    {
        var args = new List<object> { "serve", "--model", ModelUri(route), "--host", "0.0.0.0", "--port", $"{DockerContext.Port}" };
        if (endpoint.Settings.MaxBatchSize is { } batch)
        {
            args.AddRange(["--max-batch-size", batch.ToString(CultureInfo.InvariantCulture)]);
        }

        if (endpoint.Settings.MaxBatchDelayMs is { } delay)
        {
            args.AddRange(["--max-batch-delay-ms", delay.ToString(CultureInfo.InvariantCulture)]);
        }

        var container = Map(
            ("name", "serving"),
            ("image", options.Image),
            ("imagePullPolicy", "IfNotPresent"),
            // The images of models build-docker hold the CLI at /opt/flightdeck; the command replaces their baked-in model.
            ("command", new List<object> { "dotnet", $"{DockerContext.AppPathInImage}/flightdeck.dll" }),
            ("args", args),
            ("env", new List<object> { Map(("name", "FLIGHTDECK_TRACKING_URI"), ("value", options.TrackingUri)) }),
            ("ports", new List<object> { Map(("name", "http"), ("containerPort", DockerContext.Port), ("protocol", "TCP")) }),
            // Starting downloads the model; the startup probe gives it 5 minutes before liveness takes over.
            ("startupProbe", Probe(StartupPath, periodSeconds: 5, failureThreshold: 60)),
            ("readinessProbe", Probe(ReadyPath, periodSeconds: 5, failureThreshold: 3)),
            ("livenessProbe", Probe(LivePath, periodSeconds: 10, failureThreshold: 3)),
            ("resources", Map(
                ("requests", Map(("cpu", options.CpuRequest), ("memory", options.Memory))),
                ("limits", Map(("cpu", options.CpuLimit), ("memory", options.Memory))))),
            ("securityContext", Map(
                ("allowPrivilegeEscalation", false),
                ("readOnlyRootFilesystem", true),
                ("runAsNonRoot", true),
                ("capabilities", Map(("drop", new List<object> { "ALL" }))))),
            // The model is downloaded under the temp folder, the only writable path.
            ("volumeMounts", new List<object> { Map(("name", "tmp"), ("mountPath", "/tmp")) }));

        var podSpec = Map(
            ("securityContext", Map(
                ("runAsNonRoot", true),
                ("runAsUser", DockerContext.UserId),
                ("runAsGroup", DockerContext.UserId),
                ("fsGroup", DockerContext.UserId),
                ("seccompProfile", Map(("type", "RuntimeDefault"))))),
            ("automountServiceAccountToken", false),
            ("terminationGracePeriodSeconds", 30),
            ("containers", new List<object> { container }),
            ("volumes", new List<object> { Map(("name", "tmp"), ("emptyDir", Map(("sizeLimit", "2Gi")))) }));

        return Map(
            ("apiVersion", "apps/v1"),
            ("kind", "Deployment"),
            ("metadata", Metadata(name, endpoint, route, options)),
            ("spec", Map(
                ("replicas", options.Replicas),
                ("selector", Map(("matchLabels", SelectorLabels(name)))),
                ("strategy", Map(("type", "RollingUpdate"), ("rollingUpdate", Map(("maxUnavailable", 0), ("maxSurge", 1))))),
                ("template", Map(
                    ("metadata", Map(("labels", Labels(name, endpoint, route)), ("annotations", Annotations(route)))),
                    ("spec", podSpec))))));
    }

    private static OrderedDictionary<string, object> Service(ServingEndpoint endpoint, EndpointRoute route, string name, KubernetesExportOptions options) =>
        Map(
            ("apiVersion", "v1"),
            ("kind", "Service"),
            ("metadata", Metadata(name, endpoint, route, options)),
            ("spec", Map(
                ("type", "ClusterIP"),
                ("selector", SelectorLabels(name)),
                ("ports", new List<object> { Map(("name", "http"), ("port", ServicePort), ("targetPort", "http"), ("protocol", "TCP")) }))));

    private static OrderedDictionary<string, object> Autoscaler(ServingEndpoint endpoint, EndpointRoute route, string name, KubernetesExportOptions options) =>
        Map(
            ("apiVersion", "autoscaling/v2"),
            ("kind", "HorizontalPodAutoscaler"),
            ("metadata", Metadata(name, endpoint, route, options)),
            ("spec", Map(
                ("scaleTargetRef", Map(("apiVersion", "apps/v1"), ("kind", "Deployment"), ("name", name))),
                ("minReplicas", options.Replicas),
                ("maxReplicas", Math.Max(options.Replicas, options.MaxReplicas)),
                ("metrics", new List<object>
                {
                    Map(("type", "Resource"), ("resource", Map(
                        ("name", "cpu"),
                        ("target", Map(("type", "Utilization"), ("averageUtilization", options.TargetCpuUtilization)))))),
                }))));

    private static OrderedDictionary<string, object> HttpRoute(
        ServingEndpoint endpoint, string name, List<(EndpointRoute Route, string Name)> backends, KubernetesExportOptions options)
    {
        var prefix = PathPrefix(endpoint);
        var rewrite = Map(("type", "URLRewrite"), ("urlRewrite", Map(("path", Map(("type", "ReplacePrefixMatch"), ("replacePrefixMatch", "/"))))));
        var rules = new List<object>();

        // The pin header picks one version, as the tracking server's endpoint does; these rules match more, so they win.
        foreach (var (route, service) in backends)
        {
            rules.Add(Map(
                ("matches", new List<object>
                {
                    Map(("path", Map(("type", "PathPrefix"), ("value", prefix))),
                        ("headers", new List<object> { Map(("type", "Exact"), ("name", EndpointHeaders.PinVersion), ("value", route.Version)) })),
                }),
                ("filters", new List<object> { rewrite }),
                ("backendRefs", new List<object> { Map(("name", service), ("port", ServicePort)) })));
        }

        var filters = new List<object> { rewrite };
        foreach (var (route, service) in backends.Where(b => b.Route.Role == RouteRole.Shadow))
        {
            // A shadow version gets a copy of its share of requests; the gateway discards its answers.
            var mirror = Map(("backendRef", Map(("name", service), ("port", ServicePort))));
            if (route.Weight < 100)
            {
                mirror["percent"] = route.Weight;
            }

            filters.Add(Map(("type", "RequestMirror"), ("requestMirror", mirror)));
        }

        // Live and candidate routes split the traffic by weight; a blue-green standby stays referenced at weight 0.
        var weighted = backends.Where(b => b.Route.Role != RouteRole.Shadow)
            .Select(b => (object)Map(("name", b.Name), ("port", ServicePort), ("weight", b.Route.Weight)))
            .ToList();
        rules.Add(Map(
            ("matches", new List<object> { Map(("path", Map(("type", "PathPrefix"), ("value", prefix)))) }),
            ("filters", filters),
            ("backendRefs", weighted)));

        var parent = Map(("name", options.Gateway));
        if (options.GatewayNamespace is not null)
        {
            parent["namespace"] = options.GatewayNamespace;
        }

        var spec = Map(("parentRefs", new List<object> { parent }));
        if (options.Hostname is not null)
        {
            spec["hostnames"] = new List<object> { options.Hostname };
        }

        spec["rules"] = rules;
        var metadata = Map(("name", name));
        if (options.Namespace is not null)
        {
            metadata["namespace"] = options.Namespace;
        }

        metadata["labels"] = Map(
            ("app.kubernetes.io/name", AppName),
            ("app.kubernetes.io/part-of", LabelValue(endpoint.Name)),
            ("app.kubernetes.io/managed-by", ManagedBy),
            ("flightdeck.ai/endpoint", LabelValue(endpoint.Name)));
        return Map(("apiVersion", "gateway.networking.k8s.io/v1"), ("kind", "HTTPRoute"), ("metadata", metadata), ("spec", spec));
    }

    private static OrderedDictionary<string, object> Probe(string path, int periodSeconds, int failureThreshold) => Map(
        ("httpGet", Map(("path", path), ("port", "http"))),
        ("periodSeconds", periodSeconds),
        ("timeoutSeconds", 2),
        ("failureThreshold", failureThreshold));

    private static OrderedDictionary<string, object> Metadata(string name, ServingEndpoint endpoint, EndpointRoute route, KubernetesExportOptions options)
    {
        var metadata = Map(("name", name));
        if (options.Namespace is not null)
        {
            metadata["namespace"] = options.Namespace;
        }

        metadata["labels"] = Labels(name, endpoint, route);
        metadata["annotations"] = Annotations(route);
        return metadata;
    }

    /// <summary>What a Deployment selects its pods by, and its Service too: unique per version.</summary>
    private static OrderedDictionary<string, object> SelectorLabels(string name) =>
        Map(("app.kubernetes.io/name", AppName), ("app.kubernetes.io/instance", name));

    private static OrderedDictionary<string, object> Labels(string name, ServingEndpoint endpoint, EndpointRoute route)
    {
        var labels = SelectorLabels(name);
        labels["app.kubernetes.io/version"] = LabelValue(route.Version);
        labels["app.kubernetes.io/part-of"] = LabelValue(endpoint.Name);
        labels["app.kubernetes.io/managed-by"] = ManagedBy;
        labels["flightdeck.ai/endpoint"] = LabelValue(endpoint.Name);
        labels["flightdeck.ai/model"] = LabelValue(route.ModelName);
        labels["flightdeck.ai/version"] = LabelValue(route.Version);
        labels["flightdeck.ai/role"] = route.Role.ToLowerInvariant();
        return labels;
    }

    private static OrderedDictionary<string, object> Annotations(EndpointRoute route) =>
        Map(("flightdeck.ai/model-uri", ModelUri(route)), ("flightdeck.ai/weight", route.Weight.ToString(CultureInfo.InvariantCulture)));

    /// <summary>A DNS-1035 label (Service names): lowercase letters, digits and '-', starting with a letter, at most 63.</summary>
    internal static string DnsName(string text)
    {
        var name = NotDnsCharacters().Replace(text.ToLowerInvariant(), "-").Trim('-');
        if (name.Length == 0 || !char.IsAsciiLetterLower(name[0]))
        {
            name = "fd-" + name;
        }

        return name.Length <= MaxNameLength ? name : name[..(MaxNameLength - 9)].TrimEnd('-') + "-" + ShortHash(text);
    }

    /// <summary>A label value: at most 63 of [A-Za-z0-9-_.], starting and ending with a letter or digit.</summary>
    internal static string LabelValue(string text)
    {
        var value = NotLabelCharacters().Replace(text, "-").Trim('-', '_', '.');
        return value.Length <= MaxNameLength ? value : value[..(MaxNameLength - 9)].TrimEnd('-', '_', '.') + "-" + ShortHash(text);
    }

    private static string ShortHash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..8];

    private static OrderedDictionary<string, object> Map(params (string Key, object Value)[] entries)
    {
        var map = new OrderedDictionary<string, object>(entries.Length);
        foreach (var (key, value) in entries)
        {
            map.Add(key, value);
        }

        return map;
    }

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex NotDnsCharacters();

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex NotLabelCharacters();
}
