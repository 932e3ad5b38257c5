using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;

namespace Flightdeck.Models;

/// <summary>Turns a package directory into a ready <see cref="IPredictor"/>, whatever its flavor. Every problem with
/// the package (missing or invalid MLmodel, no loadable flavor, missing or corrupt data file, a model that cannot
/// predict its own input example) is a <see cref="ModelPackageException"/>.</summary>
public static class ModelLoader
{
    public static IPredictor Load(string directory, ModelLoadOptions? options = null)
    {
        options ??= new ModelLoadOptions();
        var package = ModelPackage.Read(directory);
        var flavor = ChooseFlavor(package, options.Flavor);
        var dataFile = PackageFiles.DataFile(directory, flavor);
        IPredictor predictor = flavor.Name switch
        {
            ModelFlavors.MlNet => LoadMlNet(package, flavor, dataFile, options.MLContext ?? new MLContext(seed: 0)),
            _ => LoadOnnx(package, flavor, dataFile, options),
        };
        if (!options.WarmUp)
            return predictor;
        try
        {
            var example = package.ReadInputExample(directory) ?? DefaultRow(predictor.Signature.Inputs);
            predictor.Predict(example);
            return predictor;
        }
        catch (Exception e) when (e is not ModelPackageException)
        {
            predictor.Dispose();
            throw new ModelPackageException($"The '{flavor.Name}' model loaded but cannot predict: {e.Message}", e);
        }
        catch
        {
            predictor.Dispose();
            throw;
        }
    }

    private static ModelFlavor ChooseFlavor(ModelPackage package, string? requested)
    {
        if (requested is not null)
        {
            if (!ModelFlavors.Supported.Contains(requested))
                throw new ModelPackageException(
                    $"Flavor '{requested}' cannot be loaded; supported: {string.Join(", ", ModelFlavors.Supported)}.");
            return package.Flavors.TryGetValue(requested, out var flavor)
                ? flavor
                : throw new ModelPackageException(
                    $"The model package has no '{requested}' flavor (it has {string.Join(", ", package.Flavors.Keys)}).");
        }
        foreach (var name in ModelFlavors.Supported)
        {
            if (package.Flavors.TryGetValue(name, out var flavor))
                return flavor;
        }
        throw PackageFiles.UnknownFlavors(package);
    }

    private static MlNetPredictor LoadMlNet(ModelPackage package, ModelFlavor flavor, string path, MLContext mlContext)
    {
        ITransformer model;
        DataViewSchema inputSchema;
        try
        {
            using var stream = File.OpenRead(path);
            model = mlContext.Model.Load(stream, out inputSchema);
        }
        catch (Exception e)
        {
            throw new ModelPackageException(
                $"The '{flavor.Name}' model file '{flavor.Data}' cannot be loaded by ML.NET (truncated, corrupt or from an " +
                $"unknown component): {e.Message}", e);
        }
        try
        {
            return new MlNetPredictor(package, model, inputSchema);
        }
        catch (Exception e) when (e is not ModelPackageException)
        {
            throw new ModelPackageException($"The '{flavor.Name}' model does not match its own input schema: {e.Message}", e);
        }
    }

    private static OnnxPredictor LoadOnnx(ModelPackage package, ModelFlavor flavor, string path, ModelLoadOptions options)
    {
        InferenceSession session;
        using var sessionOptions = OnnxSessionOptions(options);
        try
        {
            session = new InferenceSession(path, sessionOptions);
        }
        catch (Exception e)
        {
            throw new ModelPackageException(
                $"The '{flavor.Name}' model file '{flavor.Data}' cannot be loaded by ONNX Runtime (truncated or corrupt): {e.Message}", e);
        }
        try
        {
            return new OnnxPredictor(package, session);
        }
        catch (Exception e)
        {
            session.Dispose();
            throw e as ModelPackageException ?? new ModelPackageException($"The '{flavor.Name}' model cannot be served: {e.Message}", e);
        }
    }

    private static SessionOptions OnnxSessionOptions(ModelLoadOptions options)
    {
        if (options.OnnxIntraOpThreads is < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.OnnxIntraOpThreads, "OnnxIntraOpThreads must be at least 1.");
        var session = new SessionOptions();
        if (options.OnnxIntraOpThreads is { } threads)
            session.IntraOpNumThreads = threads;
        if (options.OnnxSpinWait is { } spin)
            session.AddSessionConfigEntry("session.intra_op.allow_spinning", spin ? "1" : "0");
        return session;
    }

    private static DataBatch DefaultRow(ModelSchema inputs)
    {
        var columns = new List<BatchColumn>();
        foreach (var spec in inputs.Columns.Where(c => c.Name is not null))
        {
            columns.Add(DataBatchJson.ForColumnType(spec.Type) switch
            {
                BatchColumnType.Boolean => BatchColumn.FromBooleans(spec.Name!, [false]),
                BatchColumnType.Int32 => BatchColumn.FromInt32s(spec.Name!, [0]),
                BatchColumnType.Int64 => BatchColumn.FromInt64s(spec.Name!, [0]),
                BatchColumnType.Single => BatchColumn.FromSingles(spec.Name!, [0]),
                BatchColumnType.Double => BatchColumn.FromDoubles(spec.Name!, [0]),
                _ => BatchColumn.FromStrings(spec.Name!, [""]),
            });
        }
        foreach (var spec in inputs.Tensors)
        {
            var name = spec.Name ?? "input";
            if (spec.Shape.Count > 1 && spec.ValuesPerRow != 1)
            {
                columns.Add(BatchColumn.FromVectors(name, new float[Math.Max(spec.ValuesPerRow, 1)], (int)Math.Max(spec.ValuesPerRow, 1)));
                continue;
            }
            columns.Add(spec.DType switch
            {
                TensorDTypes.Float64 => BatchColumn.FromDoubles(name, [0]),
                TensorDTypes.Int32 => BatchColumn.FromInt32s(name, [0]),
                TensorDTypes.Int64 => BatchColumn.FromInt64s(name, [0]),
                TensorDTypes.Bool => BatchColumn.FromBooleans(name, [false]),
                "str" or "object" => BatchColumn.FromStrings(name, [""]),
                _ => BatchColumn.FromSingles(name, [0]),
            });
        }
        return new DataBatch(columns);
    }
}
