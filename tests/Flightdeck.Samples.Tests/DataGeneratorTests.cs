using Flightdeck.Samples.Readmission.Data;

namespace Flightdeck.Samples.Tests;

public sealed class DataGeneratorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("flightdeck-sample-data-").FullName;

    [Fact]
    public void Same_seed_and_rows_give_byte_identical_csv()
    {
        var first = WriteCsv("a.csv", seed: 7, rows: 1000);
        var second = WriteCsv("b.csv", seed: 7, rows: 1000);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public void Different_seeds_give_different_data()
    {
        var first = WriteCsv("a.csv", seed: 7, rows: 1000);
        var second = WriteCsv("b.csv", seed: 8, rows: 1000);

        Assert.NotEqual(File.ReadAllText(first), File.ReadAllText(second));
    }

    [Fact]
    public void Rows_are_plausible_patients_with_a_realistic_readmission_rate()
    {
        var records = ReadmissionDataGenerator.Generate(seed: 42, rows: 5000);

        Assert.Equal(5000, records.Count);
        Assert.All(records, r =>
        {
            Assert.InRange(r.Age, 18, 98);
            Assert.InRange(r.LengthOfStay, 1, 45);
            Assert.InRange(r.PriorAdmissions, 0, 12);
            Assert.InRange(r.MedicationCount, 0, 40);
            Assert.True(float.IsNaN(r.HbA1c) || r.HbA1c is >= 4 and <= 14);
            Assert.Contains(r.DischargeType, ReadmissionDataGenerator.DischargeTypes);
        });
        Assert.InRange(records.Count(r => r.Readmitted) / 5000.0, 0.10, 0.30);
        Assert.InRange(records.Count(r => float.IsNaN(r.HbA1c)) / 5000.0, 0.05, 0.30);
        Assert.All(ReadmissionDataGenerator.DischargeTypes, type => Assert.Contains(records, r => r.DischargeType == type));
    }

    [Fact]
    public void Risk_factors_raise_the_readmission_rate()
    {
        var records = ReadmissionDataGenerator.Generate(seed: 3, rows: 20000);

        static double Rate(IEnumerable<PatientRecord> rows) => rows.Average(r => r.Readmitted ? 1.0 : 0.0);
        Assert.True(Rate(records.Where(r => r.PriorAdmissions >= 3)) > Rate(records.Where(r => r.PriorAdmissions == 0)) + 0.1);
        Assert.True(Rate(records.Where(r => r.DischargeType == "against_medical_advice")) > Rate(records.Where(r => r.DischargeType == "home")));
    }

    [Fact]
    public void Csv_header_and_missing_values_are_written_as_documented()
    {
        var path = WriteCsv("data.csv", seed: 5, rows: 300);
        var lines = File.ReadAllLines(path);

        Assert.Equal("age,length_of_stay,prior_admissions,medication_count,hba1c,discharge_type,readmitted", lines[0]);
        Assert.Equal(301, lines.Length);
        Assert.Contains(lines.Skip(1), line => line.Split(',')[4].Length == 0);
        Assert.All(lines.Skip(1), line => Assert.Contains(line.Split(',')[6], new[] { "0", "1" }));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string WriteCsv(string name, int seed, int rows)
    {
        var path = Path.Combine(_folder, name);
        ReadmissionDataGenerator.WriteCsv(ReadmissionDataGenerator.Generate(seed, rows), path);
        return path;
    }
}
