using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flightdeck.Models.Tests;

/// <summary>A multiclass pipeline that maps its string label to a key inside the pipeline: predicting must work
/// without the label column (it is served as a default value), and the vector Score makes the outputs tensor-based.</summary>
public sealed class MulticlassModelTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Predicts_without_the_label_column_and_returns_class_names()
    {
        var ml = new MLContext(seed: 5);
        var random = new Random(3);
        string[] classes = ["low", "mid", "high"];
        var rows = Enumerable.Range(0, 300).Select(_ =>
        {
            var x = (float)random.NextDouble();
            return new Row { X = x, Y = (float)random.NextDouble(), Label = classes[Math.Min((int)(x * 3), 2)] };
        }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.Concatenate("Features", "X", "Y"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"))
            .Fit(data);

        var package = new ModelPackageWriter(ml).Write(_temp.Path, model, data);
        using var predictor = ModelLoader.Load(_temp.Path);
        var output = predictor.Predict(new DataBatch(
            BatchColumn.FromSingles("X", [0.05f, 0.5f, 0.95f]),
            BatchColumn.FromSingles("Y", [0.5f, 0.5f, 0.5f])));

        Assert.Equal(["X", "Y"], package.Signature!.Inputs.Names);
        Assert.Equal([new TensorSpec("PredictedLabel", "str", [-1]), new TensorSpec("Score", "float32", [-1, 3])],
            package.Signature.Outputs!.Tensors);
        Assert.Equal(["low", "mid", "high"], output["PredictedLabel"].GetValues<string?>().Select(s => s ?? "(null)"));
        Assert.Equal(3, output["Score"].VectorSize);
    }

    public sealed class Row
    {
        public float X { get; set; }

        public float Y { get; set; }

        public string Label { get; set; } = "";
    }
}
