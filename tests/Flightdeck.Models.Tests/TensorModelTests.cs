using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flightdeck.Models.Tests;

/// <summary>A model whose input is one float vector column: its signature is tensor-based.</summary>
public sealed class TensorModelTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly MLContext _ml = new(seed: 3);
    private readonly List<VectorRow> _rows;
    private readonly IDataView _data;
    private readonly ITransformer _model;

    public TensorModelTests()
    {
        var random = new Random(11);
        _rows = [.. Enumerable.Range(0, 300).Select(_ =>
        {
            var features = Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble()).ToArray();
            return new VectorRow { Features = features, Label = features[0] + features[1] - features[2] > 0.5f };
        })];
        _data = _ml.Data.LoadFromEnumerable(_rows);
        _model = _ml.BinaryClassification.Trainers.SdcaLogisticRegression().Fit(_data);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Vector_input_becomes_a_tensor_spec_and_predicts_through_both_flavors()
    {
        var package = new ModelPackageWriter(_ml).Write(_temp.Path, _model, _data,
            new ModelPackageWriteOptions { OnnxExport = OnnxExport.Required });
        var batch = new DataBatch(BatchColumn.FromVectors("Features", [.. _rows.Take(10).SelectMany(r => r.Features)], 4));
        var expected = _model.Transform(_ml.Data.TakeRows(_data, 10)).GetColumn<float>("Score").ToArray();
        using var mlnet = ModelLoader.Load(_temp.Path);
        using var onnx = ModelLoader.Load(_temp.Path, new ModelLoadOptions { Flavor = ModelFlavors.Onnx });

        Assert.Equal([new TensorSpec("Features", "float32", [-1, 4])], package.Signature!.Inputs.Tensors);
        Assert.Equal(expected, mlnet.Predict(batch)["Score"].GetValues<float>());
        var onnxScores = onnx.Predict(batch)["Score"].GetValues<float>();
        for (var i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], onnxScores[i], 0.001f);
    }

    [Fact]
    public void Onnx_runtime_thread_settings_change_how_it_runs_not_what_it_predicts()
    {
        new ModelPackageWriter(_ml).Write(_temp.Path, _model, _data, new ModelPackageWriteOptions { OnnxExport = OnnxExport.Required });
        var batch = new DataBatch(BatchColumn.FromVectors("Features", [.. _rows.Take(64).SelectMany(r => r.Features)], 4));
        using var defaults = ModelLoader.Load(_temp.Path, new ModelLoadOptions { Flavor = ModelFlavors.Onnx });
        using var serving = ModelLoader.Load(_temp.Path,
            new ModelLoadOptions { Flavor = ModelFlavors.Onnx, OnnxIntraOpThreads = 1, OnnxSpinWait = false });

        Assert.Equal(defaults.Predict(batch)["Score"].GetValues<float>(), serving.Predict(batch)["Score"].GetValues<float>());
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ModelLoader.Load(_temp.Path, new ModelLoadOptions { Flavor = ModelFlavors.Onnx, OnnxIntraOpThreads = 0 }));
    }

    [Fact]
    public void Wrong_tensor_shape_is_named()
    {
        new ModelPackageWriter(_ml).Write(_temp.Path, _model, _data);
        using var predictor = ModelLoader.Load(_temp.Path);
        var batch = new DataBatch(BatchColumn.FromVectors("Features", new float[9], 3));

        var exception = Assert.Throws<ModelInputException>(() => predictor.Predict(batch));

        Assert.Equal("Features", exception.ColumnName);
        Assert.Equal("Input 'Features' has 3 values per row but the signature expects shape [-1, 4].", exception.Message);
    }

    [Fact]
    public void Json_rows_of_arrays_fill_the_tensor()
    {
        new ModelPackageWriter(_ml).Write(_temp.Path, _model, _data);
        using var predictor = ModelLoader.Load(_temp.Path);
        using var json = JsonDocument.Parse("""{"columns": ["Features"], "data": [[[0.1, 0.2, 0.3, 0.4]], [[0.9, 0.8, 0.1, 0.0]]]}""");
        using var tooShort = JsonDocument.Parse("""{"columns": ["Features"], "data": [[[0.1, 0.2, 0.3]]]}""");

        var output = predictor.Predict(DataBatch.FromSplitJson(json.RootElement, predictor.Signature.Inputs));
        var exception = Assert.Throws<ModelInputException>(() => DataBatch.FromSplitJson(tooShort.RootElement, predictor.Signature.Inputs));

        Assert.Equal(2, output.RowCount);
        Assert.Equal("Column 'Features' row 0 has 3 values; expected 4 per row.", exception.Message);
    }

    [Fact]
    public void An_onnx_file_made_elsewhere_is_packaged_with_the_signature_of_its_graph()
    {
        new ModelPackageWriter(_ml).Write(_temp.Sub("exported"), _model, _data, new ModelPackageWriteOptions { OnnxExport = OnnxExport.Required });
        var batch = new DataBatch(BatchColumn.FromVectors("Features", [.. _rows.Take(10).SelectMany(r => r.Features)], 4));
        using var exported = ModelLoader.Load(_temp.Sub("exported"), new ModelLoadOptions { Flavor = ModelFlavors.Onnx });

        var package = OnnxPackageWriter.Write(_temp.Sub("imported"), Path.Combine(_temp.Sub("exported"), ModelPackageWriter.OnnxDataFile));
        using var imported = ModelLoader.Load(_temp.Sub("imported"));
        // The graph ML.NET exported still has its Label input, so the graph's own signature asks for it.
        var withLabel = new DataBatch([batch["Features"], BatchColumn.FromBooleans("Label", new bool[10])]);

        Assert.Equal([ModelFlavors.Onnx], package.Flavors.Keys);
        Assert.Contains(new TensorSpec("Features", "float32", [-1, 4]), package.Signature!.Inputs.Tensors);
        Assert.Contains(package.Signature.Outputs!.Tensors, t => t.Name == "Score.output");
        Assert.Contains(new TensorSpec("Label", "bool", [-1, 1]), package.Signature.Inputs.Tensors);
        Assert.Equal(exported.Predict(batch)["Score"].GetValues<float>(), imported.Predict(withLabel)["Score"].GetValues<float>());
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_refused_when_packaged()
    {
        var garbage = _temp.Sub("garbage.onnx");
        File.WriteAllBytes(garbage, [1, 2, 3, 4, 5]);

        var exception = Assert.Throws<ModelPackageException>(() => OnnxPackageWriter.Write(_temp.Sub("out"), garbage));

        Assert.StartsWith("'garbage.onnx' is not an ONNX model ONNX Runtime can load", exception.Message);
        Assert.False(File.Exists(Path.Combine(_temp.Sub("out"), ModelPackage.MLmodelFileName)));
    }

    public sealed class VectorRow
    {
        [VectorType(4)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }
}
