using Flightdeck.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flightdeck.Serving.Tests.Infrastructure;

/// <summary>A small real ML.NET model trained once per test run on seeded data (FastTree over three floats, an integer
/// and a one-hot string), written as a package with both the mlnet and the onnx flavor.</summary>
public sealed class TinyModel
{
    private static readonly Lazy<TinyModel> Shared = new(() => new TinyModel());

    private TinyModel()
    {
        var ml = new MLContext(seed: 3);
        var data = ml.Data.LoadFromEnumerable(Generate(300, seed: 11));
        var pipeline = ml.Transforms.Conversion.ConvertType("AgeF", "Age", DataKind.Single)
            .Append(ml.Transforms.Categorical.OneHotEncoding("RegionKey", "Region"))
            .Append(ml.Transforms.Concatenate("Features", "F1", "F2", "F3", "AgeF", "RegionKey"))
            .Append(ml.BinaryClassification.Trainers.FastTree(numberOfLeaves: 6, numberOfTrees: 10, minimumExampleCountPerLeaf: 5));
        var model = pipeline.Fit(data);
        PackageDirectory = Directory.CreateTempSubdirectory("flightdeck-serving-model-").FullName;
        new ModelPackageWriter(ml).Write(PackageDirectory, model, data,
            new ModelPackageWriteOptions { OnnxExport = OnnxExport.Required, ArtifactPath = "model" });
    }

    public static TinyModel Instance => Shared.Value;

    public string PackageDirectory { get; }

    public static List<Row> Generate(int count, int seed)
    {
        var random = new Random(seed);
        string[] regions = ["north", "south", "east", "west"];
        var rows = new List<Row>(count);
        for (var i = 0; i < count; i++)
        {
            var row = new Row
            {
                F1 = (float)Math.Round(random.NextDouble(), 3),
                F2 = (float)Math.Round(random.NextDouble() * 10, 3),
                F3 = (float)Math.Round(random.NextDouble() - 0.5, 3),
                Age = random.Next(18, 90),
                Region = regions[random.Next(regions.Length)],
            };
            row.Label = 3 * row.F1 + 0.3 * row.F2 - 4 * row.F3 + 0.02 * row.Age + (row.Region == "north" ? 1 : 0) - 3.5 + random.NextDouble() - 0.5 > 0;
            rows.Add(row);
        }
        return rows;
    }

    public static DataBatch Batch(IReadOnlyList<Row> rows) => new(
        BatchColumn.FromSingles("F1", [.. rows.Select(r => r.F1)]),
        BatchColumn.FromSingles("F2", [.. rows.Select(r => r.F2)]),
        BatchColumn.FromSingles("F3", [.. rows.Select(r => r.F3)]),
        BatchColumn.FromInt32s("Age", [.. rows.Select(r => r.Age)]),
        BatchColumn.FromStrings("Region", [.. rows.Select(r => r.Region)]));

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
