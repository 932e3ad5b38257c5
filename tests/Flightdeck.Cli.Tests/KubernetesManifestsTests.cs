using Flightdeck.Cli.Packaging;
using Flightdeck.Cli.Tests.Infrastructure;
using Flightdeck.Contracts;
using Flightdeck.Serving.Tests.Infrastructure;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Flightdeck.Cli.Tests;

public sealed class KubernetesManifestsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ServingEndpoint Canary = new()
    {
        Name = "Fraud_Scorer.eu",
        State = EndpointState.Updating,
        Routes =
        [
            new EndpointRoute { ModelName = "fraud", Version = "1", Weight = 90, Role = RouteRole.Live },
            new EndpointRoute { ModelName = "fraud", Version = "2", Weight = 10, Role = RouteRole.Candidate },
            new EndpointRoute { ModelName = "fraud", Version = "3", Weight = 25, Role = RouteRole.Shadow },
        ],
        Settings = new EndpointSettings { MaxBatchSize = 32, MaxBatchDelayMs = 1.5 },
    };

    [Fact]
    public async Task Manifests_parse_back_with_matching_selectors_weights_probes_and_model_uris()
    {
        // Given an endpoint with a live, a candidate and a shadow version
        var directory = Directory.CreateTempSubdirectory("flightdeck-k8s-").FullName;
        var options = new KubernetesExportOptions { Image = "registry.local/fraud:1", Replicas = 3, MaxReplicas = 12, Namespace = "ml", TrackingUri = "http://flightdeck.ml:5000" };

        // When the manifests are written
        var manifests = KubernetesManifests.Build(Canary, options);
        var files = await ManifestWriter.WriteAsync(directory, manifests, options.Namespace, Ct);

        // Then each file is one YAML document of the expected kind and API version
        var documents = files.Where(f => !f.EndsWith("kustomization.yaml", StringComparison.Ordinal)).Select(YamlTree.Load).ToList();
        Assert.Equal(["Deployment", "Service", "HorizontalPodAutoscaler", "Deployment", "Service", "HorizontalPodAutoscaler", "Deployment", "Service",
            "HorizontalPodAutoscaler", "HTTPRoute"], documents.Select(d => d.Text("kind")));
        var apiVersions = new Dictionary<string, string>
        {
            ["Deployment"] = "apps/v1", ["Service"] = "v1", ["HorizontalPodAutoscaler"] = "autoscaling/v2", ["HTTPRoute"] = "gateway.networking.k8s.io/v1",
        };
        Assert.All(documents, d => Assert.Equal(apiVersions[d.Text("kind")], d.Text("apiVersion")));
        Assert.All(documents, d => Assert.Equal("ml", d.Text("metadata", "namespace")));
        var kustomization = YamlTree.Load(Path.Combine(directory, "kustomization.yaml"));
        Assert.Equal(manifests.Select(m => m.FileName), kustomization.Items("resources").Select(n => ((YamlScalarNode)n).Value));

        var deployments = documents.Where(d => d.Text("kind") == "Deployment").ToList();
        var services = documents.Where(d => d.Text("kind") == "Service").ToList();
        var autoscalers = documents.Where(d => d.Text("kind") == "HorizontalPodAutoscaler").ToList();
        Assert.Equal(["fraud-scorer-eu-v1", "fraud-scorer-eu-v2", "fraud-scorer-eu-v3"], deployments.Select(d => d.Text("metadata", "name")));
        for (var i = 0; i < Canary.Routes.Count; i++)
        {
            var route = Canary.Routes[i];
            var deployment = deployments[i];
            var name = deployment.Text("metadata", "name");
            var selector = deployment.Strings("spec", "selector", "matchLabels");
            var podLabels = deployment.Strings("spec", "template", "metadata", "labels");
            Assert.All(selector, label => Assert.Equal(label.Value, podLabels[label.Key]));
            Assert.Equal(selector, services[i].Strings("spec", "selector"));
            Assert.Equal(route.Version, podLabels["flightdeck.ai/version"]);
            Assert.Equal("Fraud_Scorer.eu", podLabels["flightdeck.ai/endpoint"]);
            Assert.Equal(route.Role.ToLowerInvariant(), podLabels["flightdeck.ai/role"]);
            Assert.Equal("3", deployment.Text("spec", "replicas"));

            var container = deployment.At("spec", "template", "spec", "containers", 0);
            Assert.Equal("registry.local/fraud:1", container.Text("image"));
            var args = container.Items("args").Select(a => ((YamlScalarNode)a).Value).ToList();
            Assert.Equal(["serve", "--model", $"models:/fraud/{route.Version}", "--host", "0.0.0.0", "--port", "8080", "--max-batch-size", "32",
                "--max-batch-delay-ms", "1.5"], args);
            Assert.Equal(["dotnet", "/opt/flightdeck/flightdeck.dll"], container.Items("command").Select(a => ((YamlScalarNode)a).Value));
            Assert.Equal("http://flightdeck.ml:5000", container.Text("env", 0, "value"));
            Assert.Equal("/v2/health/ready", container.Text("readinessProbe", "httpGet", "path"));
            Assert.Equal("/v2/health/live", container.Text("livenessProbe", "httpGet", "path"));
            Assert.Equal("/ping", container.Text("startupProbe", "httpGet", "path"));
            Assert.All(new[] { "readinessProbe", "livenessProbe", "startupProbe" }, p => Assert.Equal("http", container.Text(p, "httpGet", "port")));
            Assert.Equal("http", container.Text("ports", 0, "name"));
            Assert.Equal("8080", container.Text("ports", 0, "containerPort"));
            Assert.Equal("500m", container.Text("resources", "requests", "cpu"));
            Assert.Equal("1Gi", container.Text("resources", "limits", "memory"));
            Assert.Equal("true", container.Text("securityContext", "readOnlyRootFilesystem"));
            Assert.Equal("false", container.Text("securityContext", "allowPrivilegeEscalation"));
            Assert.Equal("ALL", container.Text("securityContext", "capabilities", "drop", 0));
            Assert.Equal("true", deployment.Text("spec", "template", "spec", "securityContext", "runAsNonRoot"));
            Assert.NotEqual("0", deployment.Text("spec", "template", "spec", "securityContext", "runAsUser"));
            Assert.Equal("/tmp", container.Text("volumeMounts", 0, "mountPath"));

            Assert.Equal("http", services[i].Text("spec", "ports", 0, "targetPort"));
            Assert.Equal(name, autoscalers[i].Text("spec", "scaleTargetRef", "name"));
            Assert.Equal("Deployment", autoscalers[i].Text("spec", "scaleTargetRef", "kind"));
            Assert.Equal("3", autoscalers[i].Text("spec", "minReplicas"));
            Assert.Equal("12", autoscalers[i].Text("spec", "maxReplicas"));
            Assert.Equal("cpu", autoscalers[i].Text("spec", "metrics", 0, "resource", "name"));
            Assert.Equal("70", autoscalers[i].Text("spec", "metrics", 0, "resource", "target", "averageUtilization"));
        }

        // The HTTPRoute: pin rules per version, then the weighted split of live and candidate with the shadow mirrored
        var route53 = documents[^1];
        var rules = route53.Items("spec", "rules");
        Assert.Equal(4, rules.Count);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(EndpointHeaders.PinVersion, rules[i].Text("matches", 0, "headers", 0, "name"));
            Assert.Equal(Canary.Routes[i].Version, rules[i].Text("matches", 0, "headers", 0, "value"));
            Assert.Equal(services[i].Text("metadata", "name"), rules[i].Text("backendRefs", 0, "name"));
        }

        var split = rules[^1];
        Assert.Equal("/endpoints/Fraud_Scorer.eu", split.Text("matches", 0, "path", "value"));
        var weights = split.Items("backendRefs").ToDictionary(b => b.Text("name"), b => int.Parse(b.Text("weight")));
        Assert.Equal(new Dictionary<string, int> { ["fraud-scorer-eu-v1"] = 90, ["fraud-scorer-eu-v2"] = 10 }, weights);
        Assert.All(split.Items("backendRefs"), b => Assert.Equal("80", b.Text("port")));
        var filters = split.Items("filters");
        Assert.Equal("URLRewrite", filters[0].Text("type"));
        Assert.Equal("/", filters[0].Text("urlRewrite", "path", "replacePrefixMatch"));
        var mirror = Assert.Single(filters, f => f.Text("type") == "RequestMirror");
        Assert.Equal("fraud-scorer-eu-v3", mirror.Text("requestMirror", "backendRef", "name"));
        Assert.Equal("25", mirror.Text("requestMirror", "percent"));
        Assert.Equal("flightdeck-gateway", route53.Text("spec", "parentRefs", 0, "name"));

        // Versions and numeric-looking label values stay strings in YAML, not numbers
        var versionLabel = (YamlScalarNode)deployments[0].At("metadata", "labels", "flightdeck.ai/version");
        Assert.NotEqual(ScalarStyle.Plain, versionLabel.Style);
        var headerValue = (YamlScalarNode)rules[0].At("matches", 0, "headers", 0, "value");
        Assert.NotEqual(ScalarStyle.Plain, headerValue.Style);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task The_probe_paths_are_health_routes_the_serving_app_answers()
    {
        // Given the probes of an exported deployment
        var deployment = KubernetesManifests.Build(Canary, new KubernetesExportOptions { TrackingUri = "http://t:5000" })[0].Document;
        var directory = Directory.CreateTempSubdirectory("flightdeck-k8s-probes-").FullName;
        var path = Path.Combine(directory, "deployment.yaml");
        await File.WriteAllTextAsync(path, ManifestWriter.ToYaml(deployment), Ct);
        var container = YamlTree.Load(path).At("spec", "template", "spec", "containers", 0);
        var probes = new[] { "startupProbe", "readinessProbe", "livenessProbe" }.Select(p => container.Text(p, "httpGet", "path")).ToList();

        // When flightdeck serve runs a model package
        await using var serving = await BackgroundCli.StartServingAsync(["serve", "--model", TinyModel.Instance.PackageDirectory, "--port", "0"], Ct);
        using var http = new HttpClient { BaseAddress = serving.Address };

        // Then every probe path answers 200
        foreach (var probe in probes)
        {
            var response = await http.GetAsync(probe.TrimStart('/'), Ct);
            Assert.True(response.IsSuccessStatusCode, $"{probe}: {(int)response.StatusCode}");
        }

        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [InlineData("fraud", "fraud")]
    [InlineData("Fraud_Scorer.v2", "fraud-scorer-v2")]
    [InlineData("9lives", "fd-9lives")]
    public void Names_become_dns_labels(string name, string expected) => Assert.Equal(expected, KubernetesManifests.DnsName(name));

    [Fact]
    public void Long_names_are_shortened_to_63_characters_and_stay_distinct()
    {
        var a = KubernetesManifests.DnsName(new string('a', 70) + "-v1");
        var b = KubernetesManifests.DnsName(new string('a', 70) + "-v2");

        Assert.Equal(63, a.Length);
        Assert.NotEqual(a, b);
    }
}
