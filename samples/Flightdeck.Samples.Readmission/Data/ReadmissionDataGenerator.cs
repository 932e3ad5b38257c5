using System.Globalization;
using System.Text;

namespace Flightdeck.Samples.Readmission.Data;

/// <summary>
/// Seeded synthetic discharges with a noisy, clinically plausible link to 30-day readmission: older patients, long
/// stays, frequent prior admissions, many medications, poorly controlled diabetes and discharge to a nursing facility
/// or against medical advice all raise the risk, and a patient-level noise term keeps the task far from separable.
/// The same seed and row count always give the same rows and the same CSV bytes.
/// </summary>
public static class ReadmissionDataGenerator
{
    public static readonly string[] DischargeTypes = ["home", "home_health", "skilled_nursing", "against_medical_advice"];

    /// <summary>The CSV header, in <see cref="PatientRecord"/> column order.</summary>
    public static readonly string[] ColumnNames =
        ["age", "length_of_stay", "prior_admissions", "medication_count", "hba1c", "discharge_type", "readmitted"];

    public static IReadOnlyList<PatientRecord> Generate(int seed, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);

        // Random(int) keeps its legacy algorithm across .NET versions, which is what makes the data reproducible.
        var random = new Random(seed);
        var records = new PatientRecord[rows];
        for (var i = 0; i < rows; i++)
        {
            records[i] = NextPatient(random);
        }

        return records;
    }

    /// <summary>Writes the records as a comma-separated file with a header; an unmeasured HbA1c is an empty field.</summary>
    public static void WriteCsv(IEnumerable<PatientRecord> records, string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
        writer.WriteLine(string.Join(',', ColumnNames));
        foreach (var r in records)
        {
            var hba1c = float.IsNaN(r.HbA1c) ? "" : r.HbA1c.ToString("0.0", CultureInfo.InvariantCulture);
            writer.WriteLine(string.Join(',',
                Format(r.Age), Format(r.LengthOfStay), Format(r.PriorAdmissions), Format(r.MedicationCount),
                hba1c, r.DischargeType, r.Readmitted ? "1" : "0"));
        }
    }

    private static string Format(float wholeNumber) => ((int)wholeNumber).ToString(CultureInfo.InvariantCulture);

    private static PatientRecord NextPatient(Random random)
    {
        var age = Math.Round(Math.Clamp(Normal(random, 64, 15), 18, 98));
        var lengthOfStay = Math.Round(Math.Clamp(Math.Exp(Normal(random, 1.35, 0.6)), 1, 45));
        var priorAdmissions = Math.Min(Poisson(random, 0.3 + 0.025 * Math.Max(0, age - 45)), 12);
        var medications = Math.Round(Math.Clamp(Normal(random, 7 + 0.07 * (age - 60) + 0.7 * priorAdmissions, 3), 0, 40));
        var diabetic = random.NextDouble() < 0.3;
        var hba1c = Math.Round(Math.Clamp(diabetic ? Normal(random, 8.1, 1.4) : Normal(random, 5.5, 0.45), 4, 14), 1);
        var hba1cMeasured = random.NextDouble() >= (diabetic ? 0.05 : 0.25);
        var discharge = NextDischargeType(random, age, lengthOfStay);

        // Mostly monotone risks plus a few thresholds and one interaction, which trees can pick up and a linear model cannot.
        var logit = -3.0
            + 0.03 * (age - 65) + (age > 80 ? 0.5 : 0.0)
            + 0.1 * Math.Min(lengthOfStay - 4, 15) + (lengthOfStay <= 1 ? 0.7 : 0.0)
            + 0.5 * priorAdmissions
            + 0.05 * (medications - 8)
            + (hba1cMeasured ? (hba1c >= 9 ? 1.0 : 0.15 * Math.Max(0, hba1c - 7)) : 0.25)
            + discharge switch
            {
                "home_health" => 0.4,
                "skilled_nursing" => 0.8,
                "against_medical_advice" => 1.6,
                _ => 0.0,
            }
            + (lengthOfStay > 7 && priorAdmissions >= 2 ? 1.0 : 0.0)
            + Normal(random, 0, 0.5);
        var readmitted = random.NextDouble() < 1 / (1 + Math.Exp(-logit));

        return new PatientRecord
        {
            Age = (float)age,
            LengthOfStay = (float)lengthOfStay,
            PriorAdmissions = (float)priorAdmissions,
            MedicationCount = (float)medications,
            HbA1c = hba1cMeasured ? (float)hba1c : float.NaN,
            DischargeType = discharge,
            Readmitted = readmitted,
        };
    }

    private static string NextDischargeType(Random random, double age, double lengthOfStay)
    {
        // Older patients after long stays go to nursing care more often; leaving against advice is rare and younger.
        var weights = new[]
        {
            1.0,
            0.25 + 0.01 * Math.Max(0, age - 60),
            0.1 + 0.015 * Math.Max(0, age - 65) + 0.03 * Math.Max(0, lengthOfStay - 5),
            0.06 * (age < 50 ? 2 : 1),
        };
        var pick = random.NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Length; i++)
        {
            pick -= weights[i];
            if (pick < 0)
            {
                return DischargeTypes[i];
            }
        }

        return DischargeTypes[^1];
    }

    private static double Normal(Random random, double mean, double standardDeviation)
    {
        // Box–Muller; 1 - NextDouble() keeps the logarithm's argument in (0, 1].
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return mean + standardDeviation * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static int Poisson(Random random, double lambda)
    {
        // Knuth's method: fine for the small rates used here.
        var limit = Math.Exp(-lambda);
        var count = 0;
        var product = random.NextDouble();
        while (product > limit)
        {
            count++;
            product *= random.NextDouble();
        }

        return count;
    }
}
