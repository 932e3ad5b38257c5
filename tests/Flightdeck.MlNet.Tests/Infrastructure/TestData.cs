using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flightdeck.MlNet.Tests.Infrastructure;

/// <summary>One synthetic patient: two numbers, a category, and three labels (binary, multiclass, regression).</summary>
public sealed class Patient
{
    public float Age { get; set; }

    public float Visits { get; set; }

    public string Ward { get; set; } = "";

    public bool Readmitted { get; set; }

    public string Risk { get; set; } = "";

    public float Cost { get; set; }
}

/// <summary>Seeded patients with learnable labels, and the small pipelines the tests fit on them.</summary>
public static class TestData
{
    public static readonly string[] Wards = ["cardio", "ortho", "neuro"];

    public static List<Patient> Patients(int seed, int rows)
    {
        var random = new Random(seed);
        var patients = new List<Patient>(rows);
        for (var i = 0; i < rows; i++)
        {
            var age = 20 + random.Next(70);
            var visits = random.Next(6);
            var ward = Wards[random.Next(Wards.Length)];
            var score = 0.04 * (age - 55) + 0.6 * (visits - 2.5) + (ward == "cardio" ? 0.8 : 0) + (random.NextDouble() - 0.5) * 2;
            patients.Add(new Patient
            {
                Age = age,
                Visits = visits,
                Ward = ward,
                Readmitted = score > 0,
                Risk = score < -1 ? "low" : score < 1 ? "medium" : "high",
                Cost = (float)(1000 + 30 * age + 400 * visits + random.NextDouble() * 200),
            });
        }

        return patients;
    }

    public static IDataView Load(MLContext ml, int seed = 1, int rows = 400) => ml.Data.LoadFromEnumerable(Patients(seed, rows));

    public static IEstimator<ITransformer> Featurizer(MLContext ml) =>
        ml.Transforms.Categorical.OneHotEncoding("WardOneHot", nameof(Patient.Ward))
            .Append(ml.Transforms.Concatenate("Features", nameof(Patient.Age), nameof(Patient.Visits), "WardOneHot"));

    public static IEstimator<ITransformer> BinaryPipeline(MLContext ml, int trees = 7) =>
        Featurizer(ml).Append(ml.BinaryClassification.Trainers.FastTree(
            labelColumnName: nameof(Patient.Readmitted), numberOfTrees: trees, numberOfLeaves: 4, minimumExampleCountPerLeaf: 5, learningRate: 0.3));

    public static IEstimator<ITransformer> MulticlassPipeline(MLContext ml) =>
        ml.Transforms.Conversion.MapValueToKey("RiskKey", nameof(Patient.Risk))
            .Append(Featurizer(ml))
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(labelColumnName: "RiskKey", historySize: 7));

    public static IEstimator<ITransformer> RegressionPipeline(MLContext ml) =>
        Featurizer(ml)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Regression.Trainers.Sdca(labelColumnName: nameof(Patient.Cost), maximumNumberOfIterations: 20));

    /// <summary>The same patients written as CSV and loaded back with ML.NET's text loader.</summary>
    public static IDataView LoadFromCsv(MLContext ml, IEnumerable<Patient> patients, string path)
    {
        File.WriteAllLines(path, patients.Select(p =>
            string.Join(',', p.Age.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Visits.ToString(System.Globalization.CultureInfo.InvariantCulture),
                p.Ward, p.Readmitted ? "true" : "false", p.Risk, p.Cost.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        return ml.Data.LoadFromTextFile(path, new TextLoader.Options
        {
            Separators = [','],
            Columns =
            [
                new TextLoader.Column(nameof(Patient.Age), DataKind.Single, 0),
                new TextLoader.Column(nameof(Patient.Visits), DataKind.Single, 1),
                new TextLoader.Column(nameof(Patient.Ward), DataKind.String, 2),
                new TextLoader.Column(nameof(Patient.Readmitted), DataKind.Boolean, 3),
                new TextLoader.Column(nameof(Patient.Risk), DataKind.String, 4),
                new TextLoader.Column(nameof(Patient.Cost), DataKind.Single, 5),
            ],
        });
    }
}
