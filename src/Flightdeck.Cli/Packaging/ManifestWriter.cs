using YamlDotNet.Serialization;

namespace Flightdeck.Cli.Packaging;

/// <summary>Writes manifests as YAML through YamlDotNet, one document per file, so every file parses whatever the names hold.</summary>
internal static class ManifestWriter
{
    // Quoting necessary strings keeps "3" a string (a version, a label value) instead of a YAML number.
    private static readonly ISerializer Yaml = new SerializerBuilder().WithQuotingNecessaryStrings().DisableAliases().Build();

    public static string ToYaml(object document) => Yaml.Serialize(document);

    public static async Task<List<string>> WriteAsync(string directory, IReadOnlyList<Manifest> manifests, string? ns, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var manifest in manifests)
        {
            var path = Path.Combine(directory, manifest.FileName);
            await File.WriteAllTextAsync(path, ToYaml(manifest.Document), cancellationToken);
            written.Add(path);
        }

        var kustomization = Path.Combine(directory, "kustomization.yaml");
        await File.WriteAllTextAsync(kustomization, ToYaml(KubernetesManifests.Kustomization(manifests, ns)), cancellationToken);
        written.Add(kustomization);
        return written;
    }
}
