using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Flightdeck.Models;

/// <summary>The metadata of a self-describing model package: the <c>MLmodel</c> file of a directory, in MLflow's
/// layout (artifact_path, flavors, model_uuid, run_id, utc_time_created, signature, saved_input_example_info), plus
/// <c>flightdeck_version</c>. Keys this class does not know are kept in <see cref="OtherFields"/> and written back.</summary>
public sealed class ModelPackage
{
    public const string MLmodelFileName = "MLmodel";
    public const string InputExampleFileName = "input_example.json";

    /// <summary>MLflow's timestamp layout, Python's "%Y-%m-%d %H:%M:%S.%f".</summary>
    public const string TimeFormat = "yyyy-MM-dd HH:mm:ss.ffffff";

    private const long MaxMLmodelBytes = 4 * 1024 * 1024;

    public string? ArtifactPath { get; init; }

    public string? RunId { get; init; }

    public string? ModelUuid { get; init; } = Guid.NewGuid().ToString("N");

    public DateTime UtcTimeCreated { get; init; } = DateTime.UtcNow;

    public string? FlightdeckVersion { get; init; } = CurrentFlightdeckVersion;

    public IReadOnlyDictionary<string, ModelFlavor> Flavors { get; init; } = new Dictionary<string, ModelFlavor>();

    public ModelSignature? Signature { get; init; }

    public InputExampleInfo? SavedInputExampleInfo { get; init; }

    public IReadOnlyDictionary<string, object?> OtherFields { get; init; } = new Dictionary<string, object?>();

    public static string CurrentFlightdeckVersion { get; } =
        typeof(ModelPackage).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            .Split('+')[0] ?? "0.0.0";

    /// <summary>Reads <c>MLmodel</c> from a package directory. Throws <see cref="ModelPackageException"/> when the file
    /// is missing or is not a valid MLmodel document; does not open the flavors' data files.</summary>
    public static ModelPackage Read(string directory)
    {
        var path = Path.Combine(directory, MLmodelFileName);
        if (!Directory.Exists(directory))
            throw new ModelPackageException($"Model package directory '{directory}' does not exist.");
        if (!File.Exists(path))
            throw new ModelPackageException($"Model package '{directory}' has no {MLmodelFileName} file.");
        string text;
        try
        {
            if (new FileInfo(path).Length > MaxMLmodelBytes)
                throw new ModelPackageException($"{MLmodelFileName} in '{directory}' is larger than {MaxMLmodelBytes / 1024 / 1024} MiB.");
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new ModelPackageException($"Cannot read {MLmodelFileName} in '{directory}': {e.Message}", e);
        }
        return Parse(text);
    }

    /// <summary>Parses the text of an MLmodel file.</summary>
    public static ModelPackage Parse(string mlmodelYaml) => MLmodelYaml.Parse(mlmodelYaml);

    /// <summary>The MLmodel document, in MLflow's key order.</summary>
    public string ToYaml() => MLmodelYaml.Write(this);

    /// <summary>Writes (or overwrites) <c>MLmodel</c> in <paramref name="directory"/>, creating it if needed.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, MLmodelFileName), ToYaml());
    }

    /// <summary>Reads and checks a package as a registry would before accepting it: MLmodel is valid, at least one
    /// flavor is one this library loads, and each such flavor's data file exists and is not obviously corrupt (an
    /// ML.NET zip whose entries all read back; a non-empty ONNX file). Loading is still the final word.</summary>
    public static ModelPackage Verify(string directory)
    {
        var package = Read(directory);
        PackageFiles.VerifyLoadableFlavors(package, directory);
        return package;
    }

    /// <summary>Reads the saved input example (pandas "split" orient) as a batch, typed by the input signature when
    /// there is one; null when the package has none.</summary>
    public DataBatch? ReadInputExample(string directory)
    {
        if (SavedInputExampleInfo is null)
            return null;
        var path = PackageFiles.Resolve(directory, SavedInputExampleInfo.ArtifactPath, "input example");
        if (!File.Exists(path))
            throw new ModelPackageException($"The input example '{SavedInputExampleInfo.ArtifactPath}' is missing.");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return DataBatch.FromSplitJson(document.RootElement, Signature?.Inputs);
        }
        catch (JsonException e)
        {
            throw new ModelPackageException($"The input example '{SavedInputExampleInfo.ArtifactPath}' is not valid JSON.", e);
        }
        catch (ModelInputException e)
        {
            throw new ModelPackageException($"The input example does not match the signature: {e.Message}", e);
        }
    }

    internal static string FormatTime(DateTime utc) =>
        utc.ToUniversalTime().ToString(TimeFormat, CultureInfo.InvariantCulture);
}
