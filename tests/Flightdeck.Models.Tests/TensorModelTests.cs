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

    public sealed class VectorRow
    {
        [VectorType(4)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }
}
