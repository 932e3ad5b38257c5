using System.Text.Json;

namespace Flightdeck.Models.Tests;

public sealed class InputValidationTests(PackageFixture fixture) : IClassFixture<PackageFixture>
{
    public static TheoryData<string> Flavors => [ModelFlavors.MlNet, ModelFlavors.Onnx];

    private static List<TrainedModel.Row> Rows => [.. TrainedModel.Instance.Rows.Take(3)];

    private IPredictor Load(string flavor) => ModelLoader.Load(fixture.Directory, new ModelLoadOptions { Flavor = flavor });

    private static DataBatch Replace(string name, BatchColumn replacement) =>
        new(TrainedModel.Batch(Rows).Columns.Select(c => c.Name == name ? replacement : c));

    [Theory]
    [MemberData(nameof(Flavors))]
    public void Missing_required_column_is_named(string flavor)
    {
        using var predictor = Load(flavor);
        var batch = new DataBatch(TrainedModel.Batch(Rows).Columns.Where(c => c.Name != "F2"));

        var exception = Assert.Throws<ModelInputException>(() => predictor.Predict(batch));

        Assert.Equal("F2", exception.ColumnName);
        Assert.Equal("Missing required input column 'F2' (float).", exception.Message);
    }

    [Theory]
    [MemberData(nameof(Flavors))]
    public void Wrong_type_is_named(string flavor)
    {
        using var predictor = Load(flavor);
        var batch = Replace("Age", BatchColumn.FromStrings("Age", ["1", "2", "3"]));

        var exception = Assert.Throws<ModelInputException>(() => predictor.Predict(batch));

        Assert.Equal("Age", exception.ColumnName);
        Assert.Equal("Input column 'Age' has string values but the signature expects integer.", exception.Message);
    }

    [Theory]
    [MemberData(nameof(Flavors))]
    public void Null_in_a_required_column_is_named_with_its_row(string flavor)
    {
        using var predictor = Load(flavor);
        var batch = Replace("Region", BatchColumn.FromStrings("Region", ["north", null, "east"]));

        var exception = Assert.Throws<ModelInputException>(() => predictor.Predict(batch));

        Assert.Equal("Region", exception.ColumnName);
        Assert.Equal("Input column 'Region' has a null value at row 1, but the column is required.", exception.Message);
    }

    [Fact]
    public void Json_value_of_the_wrong_type_is_named_with_its_row()
    {
        using var predictor = Load(ModelFlavors.MlNet);
        using var json = JsonDocument.Parse("""{"columns": ["F1", "F2", "F3", "Age", "Region"], "data": [[1, 2, 3, 40, "north"], [1, 2, "x", 40, "south"]]}""");

        var exception = Assert.Throws<ModelInputException>(() => DataBatch.FromSplitJson(json.RootElement, predictor.Signature.Inputs));

        Assert.Equal("F3", exception.ColumnName);
        Assert.Equal("Column 'F3' row 1: a string is not a float.", exception.Message);
    }

    [Fact]
    public void Json_integer_column_refuses_fractions()
    {
        using var json = JsonDocument.Parse("""[{"Age": 41.5}]""");
        var schema = ModelSchema.ForColumns([new ColumnSpec("Age", ColumnType.Integer)]);

        var exception = Assert.Throws<ModelInputException>(() => DataBatch.FromRecordsJson(json.RootElement, schema));

        Assert.Equal("Column 'Age' row 0: the number 41.5 is not a 32-bit integer.", exception.Message);
    }

    [Fact]
    public void Malformed_split_json_is_an_input_error()
    {
        using var json = JsonDocument.Parse("""{"columns": ["a"], "data": [[1, 2]]}""");

        var exception = Assert.Throws<ModelInputException>(() => DataBatch.FromSplitJson(json.RootElement));

        Assert.Equal("Row 0 has 2 values but there are 1 columns.", exception.Message);
    }
}
