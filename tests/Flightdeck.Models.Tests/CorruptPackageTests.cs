namespace Flightdeck.Models.Tests;

public sealed class CorruptPackageTests(PackageFixture fixture) : IClassFixture<PackageFixture>
{
    private readonly TempDirectory _temp = new();

    private static ModelPackageException LoadFails(string directory, string? flavor = null) =>
        Assert.Throws<ModelPackageException>(() => ModelLoader.Load(directory, new ModelLoadOptions { Flavor = flavor }));

    [Fact]
    public void Missing_directory()
    {
        var exception = LoadFails(_temp.Sub("nowhere"));

        Assert.Contains("does not exist", exception.Message);
    }

    [Fact]
    public void Missing_MLmodel()
    {
        var copy = fixture.CopyTo(_temp);
        File.Delete(Path.Combine(copy, "MLmodel"));

        Assert.Equal($"Model package '{copy}' has no MLmodel file.", LoadFails(copy).Message);
        Assert.Throws<ModelPackageException>(() => ModelPackage.Verify(copy));
    }

    [Theory]
    [InlineData("flavors: [unclosed", "MLmodel is not valid YAML")]
    [InlineData("just a string", "MLmodel must be a YAML mapping.")]
    [InlineData("run_id: abc\n", "MLmodel has no 'flavors' mapping.")]
    [InlineData("flavors: {}\n", "MLmodel lists no flavors.")]
    [InlineData("flavors:\n  mlnet: model.zip\n", "Flavor 'mlnet' in MLmodel must be a mapping.")]
    [InlineData("flavors:\n  mlnet:\n    data: model.zip\nsignature:\n  inputs: 'not json'\n", "The signature schema is not valid JSON")]
    [InlineData("flavors:\n  mlnet:\n    data: model.zip\nsignature:\n  inputs: '[{\"type\": \"complex\", \"name\": \"z\"}]'\n",
        "Signature entry 'z' has unsupported type 'complex'.")]
    [InlineData("flavors:\n  mlnet:\n    data: model.zip\nflavors:\n  onnx: {}\n", "MLmodel is not valid YAML: Duplicate key flavors")]
    [InlineData("flavors:\n  mlnet:\n    data: model.zip\nutc_time_created: yesterday\n", "MLmodel utc_time_created 'yesterday' is not a time")]
    public void Invalid_MLmodel(string yaml, string expectedMessage)
    {
        var copy = fixture.CopyTo(_temp);
        File.WriteAllText(Path.Combine(copy, "MLmodel"), yaml);

        Assert.StartsWith(expectedMessage, LoadFails(copy).Message);
    }

    [Fact]
    public void Alias_bomb_is_refused_without_expanding_it()
    {
        var copy = fixture.CopyTo(_temp);
        var yaml = new System.Text.StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 12; i++)
            yaml.Append($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        yaml.Append("flavors:\n  mlnet:\n    data: model.zip\n");
        File.WriteAllText(Path.Combine(copy, "MLmodel"), yaml.ToString());

        Assert.Equal("MLmodel has more than 100000 YAML nodes.", LoadFails(copy).Message);
    }

    [Fact]
    public void Unknown_flavor()
    {
        var copy = fixture.CopyTo(_temp);
        File.WriteAllText(Path.Combine(copy, "MLmodel"), "flavors:\n  sklearn:\n    pickled_model: model.pkl\n");

        var exception = LoadFails(copy);

        Assert.Equal("The model package has no flavor Flightdeck can load (it has sklearn; supported: mlnet, onnx).", exception.Message);
        Assert.Equal(exception.Message, Assert.Throws<ModelPackageException>(() => ModelPackage.Verify(copy)).Message);
    }

    [Fact]
    public void Requested_flavor_absent_or_unsupported()
    {
        var copy = fixture.CopyTo(_temp);
        File.WriteAllText(Path.Combine(copy, "MLmodel"), "flavors:\n  mlnet:\n    data: model.zip\n");

        Assert.Equal("The model package has no 'onnx' flavor (it has mlnet).", LoadFails(copy, "onnx").Message);
        Assert.Equal("Flavor 'pytorch' cannot be loaded; supported: mlnet, onnx.", LoadFails(copy, "pytorch").Message);
    }

    [Theory]
    [InlineData("model.zip", "mlnet")]
    [InlineData("model.onnx", "onnx")]
    public void Missing_data_file(string file, string flavor)
    {
        var copy = fixture.CopyTo(_temp);
        File.Delete(Path.Combine(copy, file));

        Assert.Equal($"The '{flavor}' model file '{file}' is missing from the package.", LoadFails(copy, flavor).Message);
        Assert.Throws<ModelPackageException>(() => ModelPackage.Verify(copy));
    }

    [Fact]
    public void Data_path_outside_the_package()
    {
        var copy = fixture.CopyTo(_temp);
        File.WriteAllText(Path.Combine(copy, "MLmodel"), "flavors:\n  mlnet:\n    data: ../../etc/passwd\n");

        Assert.Equal("The 'mlnet' data path '../../etc/passwd' points outside the model package.", LoadFails(copy).Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Truncated_zip(double keptFraction)
    {
        var copy = fixture.CopyTo(_temp);
        Truncate(Path.Combine(copy, "model.zip"), keptFraction);

        Assert.StartsWith("The 'mlnet' model file 'model.zip' cannot be loaded by ML.NET", LoadFails(copy).Message);
        Assert.StartsWith("The 'mlnet' model file 'model.zip' is not a readable zip archive",
            Assert.Throws<ModelPackageException>(() => ModelPackage.Verify(copy)).Message);
    }

    [Fact]
    public void Zip_with_a_corrupted_entry()
    {
        var copy = fixture.CopyTo(_temp);
        var path = Path.Combine(copy, "model.zip");
        var bytes = File.ReadAllBytes(path);
        for (var i = 200; i < 260; i++)
            bytes[i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);

        Assert.IsType<ModelPackageException>(LoadFails(copy));
        Assert.Throws<ModelPackageException>(() => ModelPackage.Verify(copy));
    }

    [Fact]
    public void Zip_that_is_not_an_ml_net_model()
    {
        var copy = fixture.CopyTo(_temp);
        var path = Path.Combine(copy, "model.zip");
        File.Delete(path);
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
            zip.CreateEntry("readme.txt");

        Assert.StartsWith("The 'mlnet' model file 'model.zip' cannot be loaded by ML.NET", LoadFails(copy).Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.0)]
    public void Truncated_or_empty_onnx(double keptFraction)
    {
        var copy = fixture.CopyTo(_temp);
        Truncate(Path.Combine(copy, "model.onnx"), keptFraction);

        Assert.StartsWith("The 'onnx' model file 'model.onnx' cannot be loaded by ONNX Runtime", LoadFails(copy, "onnx").Message);
    }

    [Fact]
    public void Onnx_file_of_garbage()
    {
        var copy = fixture.CopyTo(_temp);
        File.WriteAllBytes(Path.Combine(copy, "model.onnx"), [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 % 251))]);

        Assert.StartsWith("The 'onnx' model file 'model.onnx' cannot be loaded by ONNX Runtime", LoadFails(copy, "onnx").Message);
    }

    [Fact]
    public void Input_example_that_is_not_json()
    {
        var copy = fixture.CopyTo(_temp);
        File.WriteAllText(Path.Combine(copy, "input_example.json"), "{not json");

        Assert.Equal("The input example 'input_example.json' is not valid JSON.", LoadFails(copy).Message);
    }

    [Fact]
    public void Intact_package_verifies()
    {
        var package = ModelPackage.Verify(fixture.Directory);

        Assert.Equal(fixture.Package.ModelUuid, package.ModelUuid);
    }

    private static void Truncate(string path, double keptFraction)
    {
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keptFraction)]);
    }
}
