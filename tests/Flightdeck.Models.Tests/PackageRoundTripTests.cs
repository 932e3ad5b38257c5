namespace Flightdeck.Models.Tests;

public sealed class PackageRoundTripTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "fd-models-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Written_package_predicts_like_ml_net_through_both_flavors()
    {
        var trained = TrainedModel.Instance;
        var writer = new ModelPackageWriter(trained.MLContext);
        writer.Write(_directory, trained.Model, trained.Data,
            new ModelPackageWriteOptions { RunId = "abc", ArtifactPath = "model", OnnxExport = OnnxExport.Required });

        var expected = trained.DirectScores(50);
        var batch = TrainedModel.Batch([.. trained.Rows.Take(50)]);
        using var mlnet = ModelLoader.Load(_directory);
        using var onnx = ModelLoader.Load(_directory, new ModelLoadOptions { Flavor = ModelFlavors.Onnx });

        var mlnetScores = mlnet.Predict(batch)["Score"].GetValues<float>();
        var onnxScores = onnx.Predict(batch)["Score"].GetValues<float>();

        Assert.Equal(ModelFlavors.MlNet, mlnet.Flavor);
        Assert.Equal(ModelFlavors.Onnx, onnx.Flavor);
        Assert.Equal(expected, mlnetScores);
        for (var i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], onnxScores[i], 0.001f);
    }
}
