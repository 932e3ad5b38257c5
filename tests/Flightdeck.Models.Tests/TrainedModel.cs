using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flightdeck.Models.Tests;

/// <summary>A tiny real ML.NET model, trained once per test run on seeded synthetic data: a FastTree binary
/// classifier over three float columns, an integer column and a one-hot encoded string column.</summary>
public sealed class TrainedModel
{
    private static readonly Lazy<TrainedModel> Shared = new(() => new TrainedModel());

    private TrainedModel()
    {
        MLContext = new MLContext(seed: 1);
        Rows = Generate(400, seed: 7);
        Data = MLContext.Data.LoadFromEnumerable(Rows);
        var pipeline = MLContext.Transforms.Conversion.ConvertType("AgeF", "Age", DataKind.Single)
            .Append(MLContext.Transforms.Categorical.OneHotEncoding("RegionKey", "Region"))
            .Append(MLContext.Transforms.Concatenate("Features", "F1", "F2", "F3", "AgeF", "RegionKey"))
            .Append(MLContext.BinaryClassification.Trainers.FastTree(
                numberOfLeaves: 8, numberOfTrees: 20, minimumExampleCountPerLeaf: 5));
        Model = pipeline.Fit(Data);
    }

    public static TrainedModel Instance => Shared.Value;

    public MLContext MLContext { get; }

    public IReadOnlyList<Row> Rows { get; }

    public IDataView Data { get; }

    public ITransformer Model { get; }

    /// <summary>ML.NET's own scores for the first <paramref name="count"/> rows.</summary>
    public float[] DirectScores(int count)
    {
        var scored = Model.Transform(MLContext.Data.TakeRows(Data, count));
        return [.. scored.GetColumn<float>("Score")];
    }

    public static DataBatch Batch(IReadOnlyList<Row> rows) => new(
        BatchColumn.FromSingles("F1", [.. rows.Select(r => r.F1)]),
        BatchColumn.FromSingles("F2", [.. rows.Select(r => r.F2)]),
        BatchColumn.FromSingles("F3", [.. rows.Select(r => r.F3)]),
        BatchColumn.FromInt32s("Age", [.. rows.Select(r => r.Age)]),
        BatchColumn.FromStrings("Region", [.. rows.Select(r => r.Region)]));

    public static List<Row> Generate(int count, int seed)
    {
        var random = new Random(seed);
        string[] regions = ["north", "south", "east", "west"];
        var rows = new List<Row>(count);
        for (var i = 0; i < count; i++)
        {
            var row = new Row
            {
                F1 = (float)random.NextDouble(),
                F2 = (float)(random.NextDouble() * 10),
                F3 = (float)random.NextDouble() - 0.5f,
                Age = random.Next(18, 90),
                Region = regions[random.Next(regions.Length)],
            };
            var logit = 3 * row.F1 + 0.3 * row.F2 - 4 * row.F3 + 0.02 * row.Age + (row.Region == "north" ? 1 : 0) - 3.5;
            row.Label = logit + random.NextDouble() - 0.5 > 0;
            rows.Add(row);
        }
        return rows;
    }

    public sealed class Row
    {
        public float F1 { get; set; }

        public float F2 { get; set; }

        public float F3 { get; set; }

        public int Age { get; set; }

        public string Region { get; set; } = "";

        public bool Label { get; set; }
    }
}
