using System.Globalization;
using System.Text.Json;

namespace Flightdeck.Models.Tests;

public sealed class MLmodelFormatTests(PackageFixture fixture) : IClassFixture<PackageFixture>
{
    [Fact]
    public void Written_MLmodel_uses_MLflow_keys_and_formats()
    {
        var text = File.ReadAllText(Path.Combine(fixture.Directory, ModelPackage.MLmodelFileName));
        var topLevelKeys = text.Split('\n').Where(l => l.Length > 0 && !char.IsWhiteSpace(l[0]) && !l.StartsWith('-'))
            .Select(l => l[..l.IndexOf(':')]).ToList();

        Assert.Equal(
            ["artifact_path", "flavors", "flightdeck_version", "model_uuid", "run_id", "saved_input_example_info", "signature",
             "utc_time_created"],
            topLevelKeys);
        Assert.Contains("  mlnet:\n    data: model.zip\n    mlnet_version: 5.0.1\n", text);
        Assert.Contains("  onnx:\n    data: model.onnx\n", text);
        Assert.Contains("saved_input_example_info:\n  artifact_path: input_example.json\n  pandas_orient: split\n  type: dataframe\n", text);
        Assert.Matches(@"utc_time_created: '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}'", text);
        Assert.Matches("model_uuid: [0-9a-f]{32}\n", text);
        Assert.Contains("""  inputs: '[{"type":"float","name":"F1","required":true},""", text);
    }

    [Fact]
    public void Written_package_reads_back_equal()
    {
        var read = ModelPackage.Read(fixture.Directory);
        var written = fixture.Package;

        Assert.Equal(written.ModelUuid, read.ModelUuid);
        Assert.Equal("0123456789abcdef", read.RunId);
        Assert.Equal("model", read.ArtifactPath);
        Assert.Equal(ModelPackage.CurrentFlightdeckVersion, read.FlightdeckVersion);
        Assert.Equal(written.UtcTimeCreated.Ticks / 10, read.UtcTimeCreated.Ticks / 10);
        Assert.Equal(DateTimeKind.Utc, read.UtcTimeCreated.Kind);
        Assert.Equal(["mlnet", "onnx"], read.Flavors.Keys.Order());
        Assert.Equal("model.onnx", read.Flavors["onnx"].Data);
        Assert.Equal(12L, read.Flavors["onnx"].Properties["opset_version"]);
        Assert.Equal(written.Signature!.Inputs.Columns, read.Signature!.Inputs.Columns);
        Assert.Equal(written.Signature.Outputs!.Columns, read.Signature.Outputs!.Columns);
        Assert.Equal(new InputExampleInfo("input_example.json", "dataframe", "split"), read.SavedInputExampleInfo);
        Assert.Equal(written.ToYaml(), read.ToYaml());
    }

    [Fact]
    public void Input_example_is_pandas_split_orient_and_reads_back_typed()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixture.Directory, "input_example.json")));
        var example = ModelPackage.Read(fixture.Directory).ReadInputExample(fixture.Directory)!;
        var first = TrainedModel.Instance.Rows[0];

        Assert.Equal(["F1", "F2", "F3", "Age", "Region"], json.RootElement.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(5, json.RootElement.GetProperty("data").GetArrayLength());
        Assert.Equal(5, example.RowCount);
        Assert.Equal(BatchColumnType.Int32, example["Age"].Type);
        Assert.Equal(first.Age, example["Age"].GetValues<int>()[0]);
        Assert.Equal(first.F2, example["F2"].GetValues<float>()[0]);
        Assert.Equal(first.Region, example["Region"].GetValues<string?>()[0]);
    }

    [Fact]
    public void MLmodel_written_by_MLflow_is_read_with_its_signature_and_unknown_keys_kept()
    {
        const string mlflowWritten = """
            artifact_path: model
            flavors:
              python_function:
                env:
                  conda: conda.yaml
                  virtualenv: python_env.yaml
                loader_module: mlflow.sklearn
                model_path: model.pkl
                predict_fn: predict
                python_version: 3.10.12
              sklearn:
                code: null
                pickled_model: model.pkl
                serialization_format: cloudpickle
                sklearn_version: 1.3.0
            mlflow_version: 2.9.2
            model_size_bytes: 1234
            model_uuid: 4f1b0c0e6a4e4b3f9d6f0c3f6c1f2e3d
            run_id: 9a8b7c6d5e4f
            saved_input_example_info:
              artifact_path: input_example.json
              pandas_orient: split
              type: dataframe
            signature:
              inputs: '[{"type": "double", "name": "sepal length (cm)", "required": true}, {"type": "string",
                "name": "species", "required": false}]'
              outputs: '[{"type": "long", "required": true}]'
              params: null
            utc_time_created: '2024-01-12 05:17:31.634689'
            """;

        var package = ModelPackage.Parse(mlflowWritten);

        Assert.Equal(new DateTime(2024, 1, 12, 5, 17, 31, DateTimeKind.Utc).AddTicks(6346890), package.UtcTimeCreated);
        Assert.Equal("9a8b7c6d5e4f", package.RunId);
        Assert.Null(package.FlightdeckVersion);
        Assert.Equal("mlflow.sklearn", package.Flavors["python_function"].GetString("loader_module"));
        Assert.Equal(
            [new ColumnSpec("sepal length (cm)", ColumnType.Double), new ColumnSpec("species", ColumnType.String, Required: false)],
            package.Signature!.Inputs.Columns);
        Assert.Equal([new ColumnSpec(null, ColumnType.Long)], package.Signature.Outputs!.Columns);
        Assert.Equal("2.9.2", package.OtherFields["mlflow_version"]);
        Assert.Equal(1234L, package.OtherFields["model_size_bytes"]);
        var rewritten = package.ToYaml();
        Assert.Contains("mlflow_version: 2.9.2\n", rewritten);
        Assert.Contains("    python_version: 3.10.12\n", rewritten);
        Assert.Contains("utc_time_created: '2024-01-12 05:17:31.634689'", rewritten);
        Assert.Equal(rewritten, ModelPackage.Parse(rewritten).ToYaml());
    }

    [Fact]
    public void Schema_mixing_columns_and_tensors_is_refused()
    {
        const string json = """
            [{"type": "double", "name": "a", "required": true},
             {"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}, "name": "pixels"}]
            """;

        var exception = Assert.Throws<ModelPackageException>(() => ModelSchema.Parse(json));

        Assert.Contains("cannot mix", exception.Message);
    }

    [Fact]
    public void Tensor_spec_schema_round_trips_in_MLflow_json()
    {
        const string json = """[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}, "name": "x"}]""";

        var schema = ModelSchema.Parse(json);

        Assert.True(schema.IsTensorBased);
        Assert.Equal(new TensorSpec("x", "float32", [-1, 4]), schema.Tensors[0]);
        Assert.Equal(4, schema.Tensors[0].ValuesPerRow);
        Assert.Equal("""[{"type":"tensor","tensor-spec":{"dtype":"float32","shape":[-1,4]},"name":"x"}]""", schema.ToJson());
    }

    [Fact]
    public void Strings_that_YAML_would_read_as_other_types_are_quoted()
    {
        var package = new ModelPackage
        {
            RunId = "123",
            Flavors = new Dictionary<string, ModelFlavor>
            {
                ["custom"] = new("custom", new Dictionary<string, object?>
                {
                    ["version"] = "1.10", ["flag"] = "yes", ["none"] = "null", ["count"] = 3L, ["ratio"] = 0.5,
                }),
            },
            UtcTimeCreated = DateTime.Parse("2025-02-03T04:05:06.0000070Z", CultureInfo.InvariantCulture).ToUniversalTime(),
        };

        var yaml = package.ToYaml();
        var read = ModelPackage.Parse(yaml);

        Assert.Contains("run_id: '123'", yaml);
        Assert.Contains("utc_time_created: '2025-02-03 04:05:06.000007'", yaml);
        Assert.Equal("123", read.RunId);
        Assert.Equal("1.10", read.Flavors["custom"].Properties["version"]);
        Assert.Equal("yes", read.Flavors["custom"].Properties["flag"]);
        Assert.Equal("null", read.Flavors["custom"].Properties["none"]);
        Assert.Equal(3L, read.Flavors["custom"].Properties["count"]);
        Assert.Equal(0.5, read.Flavors["custom"].Properties["ratio"]);
    }
}
