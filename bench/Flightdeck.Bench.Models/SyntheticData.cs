using Microsoft.ML.Data;

namespace Flightdeck.Bench.Models;

/// <summary>Seeded synthetic rows: 24 float features and a label that depends on them non-linearly, so that deep
/// trees keep finding splits (which is what makes the model large).</summary>
internal static class SyntheticData
{
    public const int FeatureCount = 24;

    public static List<Row> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Row>(count);
        for (var i = 0; i < count; i++)
        {
            var features = new float[FeatureCount];
            for (var f = 0; f < FeatureCount; f++)
                features[f] = (float)random.NextDouble();
            var signal = Math.Sin(6 * features[0]) + features[1] * features[2] - Math.Abs(features[3] - 0.5) + 0.3 * features[4];
            rows.Add(new Row { Features = features, Label = signal + 0.6 * (random.NextDouble() - 0.5) > 0.1 });
        }
        return rows;
    }

    public sealed class Row
    {
        [VectorType(FeatureCount)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }
}
