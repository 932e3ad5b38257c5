using Microsoft.ML.OnnxRuntime;

namespace Flightdeck.Models;

/// <summary>Packages an ONNX model made elsewhere (PyTorch's <c>torch.onnx.export</c>, skl2onnx, tf2onnx) as an
/// onnx-flavor package, the counterpart of <c>mlflow.onnx.save_model</c>: model.onnx, and an MLmodel whose tensor
/// signature is read from the graph's inputs and outputs (the first dimension, the batch, left free).</summary>
public static class OnnxPackageWriter
{
    public static ModelPackage Write(string directory, string onnxFile, ModelPackageWriteOptions? options = null)
    {
        options ??= new ModelPackageWriteOptions();
        ModelSignature signature;
        try
        {
            using var session = new InferenceSession(onnxFile);
            signature = new ModelSignature(OnnxPredictor.SchemaOf(session.InputMetadata), OnnxPredictor.SchemaOf(session.OutputMetadata));
        }
        catch (Exception e) when (e is OnnxRuntimeException or ModelPackageException)
        {
            throw e as ModelPackageException
                ?? new ModelPackageException($"'{Path.GetFileName(onnxFile)}' is not an ONNX model ONNX Runtime can load: {e.Message}", e);
        }
        Directory.CreateDirectory(directory);
        File.Copy(onnxFile, Path.Combine(directory, ModelPackageWriter.OnnxDataFile), overwrite: true);
        var package = new ModelPackage
        {
            ArtifactPath = options.ArtifactPath,
            RunId = options.RunId,
            Flavors = new Dictionary<string, ModelFlavor>(StringComparer.Ordinal)
            {
                [ModelFlavors.Onnx] = new(ModelFlavors.Onnx, new Dictionary<string, object?>
                {
                    ["data"] = ModelPackageWriter.OnnxDataFile,
                    ["providers"] = new List<object?> { "CPUExecutionProvider" },
                }),
            },
            Signature = signature,
        };
        package.Save(directory);
        return package;
    }
}
