using Microsoft.ML;
using Microsoft.ML.Data;
using System.Text.Json;

namespace Flightdeck.Models.Tests;

public sealed class PredictionTests(PackageFixture fixture) : IClassFixture<PackageFixture>
{
    [Theory]
    [InlineData("mlnet")]
    [InlineData("onnx")]
    public void Predictions_match_ml_net_called_directly(string flavor)
    {
        var trained = TrainedModel.Instance;
        var expected = trained.Model.Transform(trained.MLContext.Data.TakeRows(trained.Data, 100));
        var expectedScores = expected.GetColumn<float>("Score").ToArray();
        var expectedLabels = expected.GetColumn<bool>("PredictedLabel").ToArray();
        var expectedProbabilities = expected.GetColumn<float>("Probability").ToArray();
        using var predictor = ModelLoader.Load(fixture.Directory, new ModelLoadOptions { Flavor = flavor });

        var output = predictor.Predict(TrainedModel.Batch([.. trained.Rows.Take(100)]));

        Assert.Equal(flavor, predictor.Flavor);
        Assert.Equal(["PredictedLabel", "Score", "Probability"], output.Columns.Select(c => c.Name));
        Assert.Equal(100, output.RowCount);
        Assert.Equal(expectedLabels, output["PredictedLabel"].GetValues<bool>());
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(expectedScores[i], output["Score"].GetValues<float>()[i], 0.001f);
            Assert.Equal(expectedProbabilities[i], output["Probability"].GetValues<float>()[i], 0.001f);
        }
    }

    [Fact]
    public void Mlnet_is_preferred_when_no_flavor_is_requested()
    {
        using var predictor = ModelLoader.Load(fixture.Directory);

        Assert.Equal(ModelFlavors.MlNet, predictor.Flavor);
        Assert.Equal(fixture.Package.ModelUuid, predictor.Package.ModelUuid);
    }

    [Theory]
    [InlineData("mlnet")]
    [InlineData("onnx")]
    public void Json_rows_in_split_and_records_orient_predict_like_typed_columns(string flavor)
    {
        var rows = TrainedModel.Instance.Rows.Take(3).ToList();
        using var predictor = ModelLoader.Load(fixture.Directory, new ModelLoadOptions { Flavor = flavor });
        var split = JsonSerializer.Serialize(new
        {
            columns = new[] { "Region", "Age", "F1", "F2", "F3", "Unused" },
            data = rows.Select(r => new object[] { r.Region, r.Age, r.F1, r.F2, r.F3, "ignored" }),
        });
        var records = JsonSerializer.Serialize(rows.Select(r => new { r.F1, r.F2, r.F3, r.Age, r.Region }));
        var inputs = predictor.Signature.Inputs;

        var typed = predictor.Predict(TrainedModel.Batch(rows))["Score"].GetValues<float>();
        var fromSplit = predictor.Predict(DataBatch.FromSplitJson(JsonDocument.Parse(split).RootElement, inputs));
        var fromRecords = predictor.Predict(DataBatch.FromRecordsJson(JsonDocument.Parse(records).RootElement, inputs));

        Assert.Equal(typed, fromSplit["Score"].GetValues<float>());
        Assert.Equal(typed, fromRecords["Score"].GetValues<float>());
    }

    [Theory]
    [InlineData("mlnet")]
    [InlineData("onnx")]
    public void Widening_numeric_inputs_are_accepted(string flavor)
    {
        var rows = TrainedModel.Instance.Rows.Take(4).ToList();
        using var predictor = ModelLoader.Load(fixture.Directory, new ModelLoadOptions { Flavor = flavor });
        var widened = new DataBatch(
            BatchColumn.FromDoubles("F1", [.. rows.Select(r => (double)r.F1)]),
            BatchColumn.FromSingles("F2", [.. rows.Select(r => r.F2)]),
            BatchColumn.FromSingles("F3", [.. rows.Select(r => r.F3)]),
            BatchColumn.FromInt64s("Age", [.. rows.Select(r => (long)r.Age)]),
            BatchColumn.FromStrings("Region", [.. rows.Select(r => r.Region)]));

        var expected = predictor.Predict(TrainedModel.Batch(rows))["Score"].GetValues<float>();

        Assert.Equal(expected, predictor.Predict(widened)["Score"].GetValues<float>());
    }

    [Theory]
    [InlineData("mlnet")]
    [InlineData("onnx")]
    public void Concurrent_predicts_give_the_same_results_as_sequential_ones(string flavor)
    {
        var trained = TrainedModel.Instance;
        using var predictor = ModelLoader.Load(fixture.Directory, new ModelLoadOptions { Flavor = flavor });
        var batches = Enumerable.Range(0, 16).Select(i => TrainedModel.Batch([.. trained.Rows.Skip(i * 20).Take(20 + i)])).ToList();
        var sequential = batches.Select(b => predictor.Predict(b)["Score"].GetValues<float>()).ToList();

        var concurrent = new float[batches.Count][];
        Parallel.For(0, batches.Count * 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var index = i % batches.Count;
            var scores = predictor.Predict(batches[index])["Score"].GetValues<float>();
            lock (concurrent)
            {
                if (concurrent[index] is { } previous)
                    Assert.Equal(previous, scores);
                concurrent[index] = scores;
            }
        });

        for (var i = 0; i < batches.Count; i++)
            Assert.Equal(sequential[i], concurrent[i]);
    }

    [Fact]
    public void Prediction_output_writes_as_json_records()
    {
        using var predictor = ModelLoader.Load(fixture.Directory);
        var output = predictor.Predict(TrainedModel.Batch([.. TrainedModel.Instance.Rows.Take(2)]));
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            output.WriteRecordsJson(writer);

        using var json = JsonDocument.Parse(buffer.ToArray());

        Assert.Equal(2, json.RootElement.GetArrayLength());
        Assert.Equal(JsonValueKind.Number, json.RootElement[0].GetProperty("Score").ValueKind);
        Assert.Equal(output["PredictedLabel"].GetValues<bool>()[1], json.RootElement[1].GetProperty("PredictedLabel").GetBoolean());
    }
}
