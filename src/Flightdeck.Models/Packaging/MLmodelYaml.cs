using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Flightdeck.Models;

/// <summary>Reads and writes the MLmodel YAML document. Keys are written sorted, as MLflow's yaml.safe_dump does.</summary>
internal static class MLmodelYaml
{
    private static readonly string[] KnownKeys =
        ["artifact_path", "flavors", "flightdeck_version", "model_uuid", "run_id", "saved_input_example_info", "signature",
         "utc_time_created"];

    private static readonly string[] TimeFormats =
        ["yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "yyyy-MM-ddTHH:mm:ssK"];

    public static ModelPackage Parse(string text)
    {
        var root = Load(text);
        if (!root.TryGetValue("flavors", out var flavorsValue) || flavorsValue is not Dictionary<string, object?> flavorMap)
            throw new ModelPackageException("MLmodel has no 'flavors' mapping.");
        if (flavorMap.Count == 0)
            throw new ModelPackageException("MLmodel lists no flavors.");
        var flavors = new Dictionary<string, ModelFlavor>(StringComparer.Ordinal);
        foreach (var (name, value) in flavorMap)
        {
            if (value is not Dictionary<string, object?> properties)
                throw new ModelPackageException($"Flavor '{name}' in MLmodel must be a mapping.");
            flavors[name] = new ModelFlavor(name, properties);
        }
        return new ModelPackage
        {
            ArtifactPath = OptionalString(root, "artifact_path"),
            RunId = OptionalString(root, "run_id"),
            ModelUuid = OptionalString(root, "model_uuid"),
            UtcTimeCreated = ParseTime(OptionalString(root, "utc_time_created")),
            FlightdeckVersion = OptionalString(root, "flightdeck_version"),
            Flavors = flavors,
            Signature = ParseSignature(root),
            SavedInputExampleInfo = ParseInputExampleInfo(root),
            OtherFields = root.Where(p => !KnownKeys.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value),
        };
    }

    public static string Write(ModelPackage package)
    {
        var root = new Dictionary<string, object?>(package.OtherFields);
        if (package.ArtifactPath is not null)
            root["artifact_path"] = package.ArtifactPath;
        root["flavors"] = package.Flavors.ToDictionary(f => f.Key, f => (object?)f.Value.Properties);
        if (package.FlightdeckVersion is not null)
            root["flightdeck_version"] = package.FlightdeckVersion;
        if (package.ModelUuid is not null)
            root["model_uuid"] = package.ModelUuid;
        root["run_id"] = package.RunId;
        if (package.SavedInputExampleInfo is { } example)
        {
            var info = new Dictionary<string, object?> { ["artifact_path"] = example.ArtifactPath, ["type"] = example.Type };
            if (example.PandasOrient is not null)
                info["pandas_orient"] = example.PandasOrient;
            root["saved_input_example_info"] = info;
        }
        if (package.Signature is { } signature)
        {
            root["signature"] = new Dictionary<string, object?>
            {
                ["inputs"] = signature.Inputs.ToJson(),
                ["outputs"] = signature.Outputs?.ToJson(),
                ["params"] = null,
            };
        }
        root["utc_time_created"] = ModelPackage.FormatTime(package.UtcTimeCreated);

        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        EmitValue(emitter, root);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    // An MLmodel file is a few kilobytes; the bound stops alias bombs ("billion laughs"), whose anchors the YAML
    // parser shares but a tree copy would expand.
    private const int MaxNodes = 100_000;

    private static Dictionary<string, object?> Load(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ModelPackageException($"MLmodel is not valid YAML: {e.Message}", e);
        }
        var budget = MaxNodes;
        if (stream.Documents.Count == 0 || ToObject(stream.Documents[0].RootNode, ref budget) is not Dictionary<string, object?> root)
            throw new ModelPackageException("MLmodel must be a YAML mapping.");
        return root;
    }

    private static object? ToObject(YamlNode node, ref int budget)
    {
        if (--budget < 0)
            throw new ModelPackageException($"MLmodel has more than {MaxNodes} YAML nodes.");
        switch (node)
        {
            case YamlMappingNode mapping:
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    var key = (keyNode as YamlScalarNode)?.Value ?? throw new ModelPackageException("MLmodel has a key that is not a scalar.");
                    if (!map.TryAdd(key, ToObject(valueNode, ref budget)))
                        throw new ModelPackageException($"MLmodel has the key '{key}' twice.");
                }
                return map;
            case YamlSequenceNode sequence:
                var list = new List<object?>(sequence.Children.Count);
                foreach (var item in sequence.Children)
                    list.Add(ToObject(item, ref budget));
                return list;
            case YamlScalarNode scalar:
                return ScalarValue(scalar);
            default:
                throw new ModelPackageException("MLmodel has a YAML node of an unsupported kind.");
        }
    }

    private static object? ScalarValue(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
            return text;
        if (text is "" or "~" or "null" or "Null" or "NULL")
            return null;
        if (text is "true" or "True" or "TRUE")
            return true;
        if (text is "false" or "False" or "FALSE")
            return false;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            return integer;
        if (LooksNumeric(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
            return real;
        return text;
    }

    private static bool LooksNumeric(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiDigit(c) || c is '.' or '-' or '+' or 'e' or 'E') && text.Any(char.IsAsciiDigit);

    private static void EmitValue(IEmitter emitter, object? value)
    {
        switch (value)
        {
            case null:
                emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case string text:
                emitter.Emit(new Scalar(null, null, text, NeedsQuotes(text) ? ScalarStyle.SingleQuoted : ScalarStyle.Any, true, true));
                break;
            case bool flag:
                emitter.Emit(new Scalar(null, null, flag ? "true" : "false", ScalarStyle.Plain, true, false));
                break;
            case IReadOnlyDictionary<string, object?> mapping:
                emitter.Emit(new MappingStart(null, null, true, MappingStyle.Block));
                foreach (var (key, item) in mapping.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    emitter.Emit(new Scalar(null, null, key, ScalarStyle.Any, true, true));
                    EmitValue(emitter, item);
                }
                emitter.Emit(new MappingEnd());
                break;
            case IEnumerable<object?> sequence:
                emitter.Emit(new SequenceStart(null, null, true, SequenceStyle.Block));
                foreach (var item in sequence)
                    EmitValue(emitter, item);
                emitter.Emit(new SequenceEnd());
                break;
            case IFormattable number:
                emitter.Emit(new Scalar(null, null, number.ToString(null, CultureInfo.InvariantCulture), ScalarStyle.Plain, true, false));
                break;
            default:
                EmitValue(emitter, value.ToString());
                break;
        }
    }

    // PyYAML (YAML 1.1) would read these plain scalars back as something other than a string: null, booleans such as
    // yes/no/on/off, numbers and timestamps such as utc_time_created, which MLflow writes quoted for that reason.
    private static bool NeedsQuotes(string text) =>
        ScalarValue(new YamlScalarNode(text) { Style = ScalarStyle.Plain }) is not string
        || text.ToLowerInvariant() is "yes" or "no" or "on" or "off" or "y" or "n"
        || (text.Length >= 5 && text[..4].All(char.IsAsciiDigit) && text[4] == '-')
        || text.Contains(": ") || text.Contains(" #") || text != text.Trim();

    private static string? OptionalString(Dictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var value) ? value switch
        {
            null => null,
            string text => text,
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => throw new ModelPackageException($"MLmodel key '{key}' must be a string."),
        } : null;

    private static DateTime ParseTime(string? text)
    {
        if (text is null)
            return DateTime.MinValue;
        if (DateTime.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
            return time;
        throw new ModelPackageException($"MLmodel utc_time_created '{text}' is not a time like '2024-01-31 12:00:00.000000'.");
    }

    private static ModelSignature? ParseSignature(Dictionary<string, object?> root)
    {
        if (!root.TryGetValue("signature", out var value) || value is null)
            return null;
        if (value is not Dictionary<string, object?> signature)
            throw new ModelPackageException("MLmodel 'signature' must be a mapping.");
        var inputs = OptionalString(signature, "inputs");
        if (inputs is null)
            throw new ModelPackageException("MLmodel 'signature' has no inputs.");
        var outputs = OptionalString(signature, "outputs");
        return new ModelSignature(ModelSchema.Parse(inputs), outputs is null ? null : ModelSchema.Parse(outputs));
    }

    private static InputExampleInfo? ParseInputExampleInfo(Dictionary<string, object?> root)
    {
        if (!root.TryGetValue("saved_input_example_info", out var value) || value is null)
            return null;
        if (value is not Dictionary<string, object?> info || OptionalString(info, "artifact_path") is not { } path)
            throw new ModelPackageException("MLmodel 'saved_input_example_info' needs an artifact_path.");
        return new InputExampleInfo(path, OptionalString(info, "type") ?? "dataframe", OptionalString(info, "pandas_orient"));
    }
}
