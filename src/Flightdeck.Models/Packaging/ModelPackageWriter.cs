using System.Reflection;
using System.Text.Json;
using Microsoft.ML;

namespace Flightdeck.Models;

/// <summary>Writes an ML.NET model as a package directory: model.zip (mlnet flavor), optionally model.onnx (onnx
/// flavor), input_example.json and MLmodel with the signature inferred from the input schema.</summary>
public sealed class ModelPackageWriter
{
    public const string MlNetDataFile = "model.zip";
    public const string OnnxDataFile = "model.onnx";

    private readonly MLContext _mlContext;

    public ModelPackageWriter(MLContext? mlContext = null) => _mlContext = mlContext ?? new MLContext(seed: 0);

    public static string MlNetVersion { get; } = VersionOf(typeof(MLContext).Assembly);

    /// <summary>Writes <paramref name="model"/>, taking the input schema from <paramref name="data"/> and, unless the
    /// options give one, the input example from its first rows.</summary>
    public ModelPackage Write(string directory, ITransformer model, IDataView data, ModelPackageWriteOptions? options = null)
    {
        options ??= new ModelPackageWriteOptions();
        var signature = SignatureInference.Infer(model, data.Schema, options.ExcludedInputColumns, options.OutputColumns);
        var example = options.InputExample;
        if (example is null && options.InputExampleRows > 0)
            example = DataViewReader.Read(data, [.. signature.Inputs.Names], options.InputExampleRows);
        return WriteCore(directory, model, data.Schema, data, signature, example, options);
    }

    /// <summary>Writes <paramref name="model"/> for inputs of <paramref name="inputSchema"/>; the input example is
    /// <see cref="ModelPackageWriteOptions.InputExample"/>, if any.</summary>
    public ModelPackage Write(string directory, ITransformer model, DataViewSchema inputSchema, ModelPackageWriteOptions? options = null)
    {
        options ??= new ModelPackageWriteOptions();
        var signature = SignatureInference.Infer(model, inputSchema, options.ExcludedInputColumns, options.OutputColumns);
        return WriteCore(directory, model, inputSchema, null, signature, options.InputExample, options);
    }

    private ModelPackage WriteCore(string directory, ITransformer model, DataViewSchema inputSchema, IDataView? data,
        ModelSignature signature, DataBatch? example, ModelPackageWriteOptions options)
    {
        Directory.CreateDirectory(directory);
        _mlContext.Model.Save(model, inputSchema, Path.Combine(directory, MlNetDataFile));
        var flavors = new Dictionary<string, ModelFlavor>(StringComparer.Ordinal)
        {
            [ModelFlavors.MlNet] = new(ModelFlavors.MlNet, new Dictionary<string, object?>
            {
                ["data"] = MlNetDataFile,
                ["mlnet_version"] = MlNetVersion,
            }),
        };
        if (options.OnnxExport != OnnxExport.None && TryExportOnnx(directory, model, inputSchema, data, options))
        {
            flavors[ModelFlavors.Onnx] = new(ModelFlavors.Onnx, new Dictionary<string, object?>
            {
                ["data"] = OnnxDataFile,
                ["onnx_version"] = VersionOf(typeof(OnnxExportExtensions).Assembly),
                ["opset_version"] = (long)options.OnnxOpsetVersion,
                ["providers"] = new List<object?> { "CPUExecutionProvider" },
            });
        }
        InputExampleInfo? exampleInfo = null;
        if (example is { RowCount: > 0 })
        {
            using (var stream = File.Create(Path.Combine(directory, ModelPackage.InputExampleFileName)))
            using (var json = new Utf8JsonWriter(stream))
                example.Head(Math.Max(options.InputExampleRows, 1)).WriteSplitJson(json);
            exampleInfo = new InputExampleInfo(ModelPackage.InputExampleFileName, "dataframe", "split");
        }
        var package = new ModelPackage
        {
            ArtifactPath = options.ArtifactPath,
            RunId = options.RunId,
            Flavors = flavors,
            Signature = signature,
            SavedInputExampleInfo = exampleInfo,
        };
        package.Save(directory);
        return package;
    }

    private bool TryExportOnnx(string directory, ITransformer model, DataViewSchema inputSchema, IDataView? data,
        ModelPackageWriteOptions options)
    {
        var path = Path.Combine(directory, OnnxDataFile);
        try
        {
            // The converter only reads the schema of the data it is given, so an empty view serves when there is none.
            var schemaSource = data ?? BatchDataView.Empty(inputSchema);
            using (var stream = File.Create(path))
                _mlContext.Model.ConvertToOnnx(model, schemaSource, options.OnnxOpsetVersion, stream);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            File.Delete(path);
            if (options.OnnxExport == OnnxExport.Required)
                throw new ModelPackageException($"ML.NET cannot export this model to ONNX: {e.Message}", e);
            return false;
        }
    }

    private static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";
}
