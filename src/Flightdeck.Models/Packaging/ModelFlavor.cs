namespace Flightdeck.Models;

/// <summary>One entry under <c>flavors</c> in an MLmodel file. <see cref="Properties"/> holds its keys as read
/// (strings, longs, doubles, booleans, null, nested dictionaries and lists).</summary>
public sealed class ModelFlavor
{
    public ModelFlavor(string name, IReadOnlyDictionary<string, object?> properties)
    {
        Name = name;
        Properties = properties;
    }

    public string Name { get; }

    public IReadOnlyDictionary<string, object?> Properties { get; }

    /// <summary>The flavor's <c>data</c> key: the model file, relative to the package directory.</summary>
    public string? Data => Properties.TryGetValue("data", out var data) ? data as string : null;

    public string? GetString(string key) => Properties.TryGetValue(key, out var value) ? value?.ToString() : null;
}

/// <summary>The flavors this library can load.</summary>
public static class ModelFlavors
{
    public const string MlNet = "mlnet";
    public const string Onnx = "onnx";

    public static IReadOnlyList<string> Supported { get; } = [MlNet, Onnx];
}

/// <summary>MLflow's <c>saved_input_example_info</c>: where the input example lies and how it is laid out.</summary>
public sealed record InputExampleInfo(string ArtifactPath, string Type = "dataframe", string? PandasOrient = "split");
