namespace Flightdeck.Models.Tests;

/// <summary>One package of <see cref="TrainedModel"/> with both flavors, written once and shared read-only by the
/// tests of a class; tests that damage a package copy it first.</summary>
public sealed class PackageFixture : IDisposable
{
    private readonly TempDirectory _temp = new();

    public PackageFixture()
    {
        var trained = TrainedModel.Instance;
        Directory = _temp.Sub("model");
        Package = new ModelPackageWriter(trained.MLContext).Write(Directory, trained.Model, trained.Data,
            new ModelPackageWriteOptions { RunId = "0123456789abcdef", ArtifactPath = "model", OnnxExport = OnnxExport.Required });
    }

    public string Directory { get; }

    public ModelPackage Package { get; }

    /// <summary>A copy of the package that a test may change.</summary>
    public string CopyTo(TempDirectory target)
    {
        var copy = target.Sub("copy");
        System.IO.Directory.CreateDirectory(copy);
        foreach (var file in System.IO.Directory.GetFiles(Directory))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    public void Dispose() => _temp.Dispose();
}
