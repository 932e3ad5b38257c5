using YamlDotNet.RepresentationModel;

namespace Flightdeck.Cli.Tests.Infrastructure;

/// <summary>Reads a YAML file back as a node tree, and walks it by keys and indexes.</summary>
public static class YamlTree
{
    public static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    public static YamlNode At(this YamlNode node, params object[] path)
    {
        foreach (var step in path)
        {
            node = step switch
            {
                string key => ((YamlMappingNode)node).Children[new YamlScalarNode(key)],
                int index => ((YamlSequenceNode)node).Children[index],
                _ => throw new ArgumentException($"Path steps are keys or indexes, not {step}."),
            };
        }

        return node;
    }

    public static string Text(this YamlNode node, params object[] path) => ((YamlScalarNode)node.At(path)).Value!;

    public static bool Has(this YamlNode node, string key) => ((YamlMappingNode)node).Children.ContainsKey(new YamlScalarNode(key));

    public static List<YamlNode> Items(this YamlNode node, params object[] path) => [.. ((YamlSequenceNode)node.At(path)).Children];

    public static Dictionary<string, string> Strings(this YamlNode node, params object[] path) =>
        ((YamlMappingNode)node.At(path)).Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value!);
}
