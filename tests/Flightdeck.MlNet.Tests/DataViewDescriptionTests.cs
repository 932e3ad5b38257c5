using System.Text.Json;
using Flightdeck.MlNet.Data;
using Flightdeck.MlNet.Tests.Infrastructure;
using Microsoft.ML;

namespace Flightdeck.MlNet.Tests;

public sealed class DataViewDescriptionTests : IDisposable
{
    private readonly MLContext _ml = new(seed: 1);
    private readonly string _folder = Directory.CreateTempSubdirectory("flightdeck-mlnet-data-").FullName;

    [Fact]
    public void The_digest_depends_on_the_content_not_on_where_the_rows_came_from()
    {
        var patients = TestData.Patients(seed: 3, rows: 200);

        var fromMemory = DataViewDescription.Describe(_ml.Data.LoadFromEnumerable(patients));
        var fromCsv = DataViewDescription.Describe(TestData.LoadFromCsv(_ml, patients, Path.Combine(_folder, "p.csv")));
        var again = DataViewDescription.Describe(_ml.Data.LoadFromEnumerable(TestData.Patients(seed: 3, rows: 200)));

        Assert.Matches("^[0-9a-f]{16}$", fromMemory.Digest);
        Assert.Equal(fromMemory.Digest, fromCsv.Digest);
        Assert.Equal(fromMemory.Digest, again.Digest);
    }

    [Fact]
    public void One_changed_value_changes_the_digest()
    {
        var patients = TestData.Patients(seed: 3, rows: 200);
        var before = DataViewDescription.Describe(_ml.Data.LoadFromEnumerable(patients)).Digest;
        patients[150].Visits += 1;

        var after = DataViewDescription.Describe(_ml.Data.LoadFromEnumerable(patients)).Digest;

        Assert.NotEqual(before, after);
    }

    [Fact]
    public void Schema_and_profile_describe_every_column()
    {
        var patients = TestData.Patients(seed: 4, rows: 300);
        patients[0].Age = float.NaN;

        var description = DataViewDescription.Describe(_ml.Data.LoadFromEnumerable(patients));

        var schema = JsonDocument.Parse(description.Schema).RootElement.GetProperty("mlflow_colspec");
        Assert.Equal(
            ["Age:float", "Visits:float", "Ward:string", "Readmitted:boolean", "Risk:string", "Cost:float"],
            schema.EnumerateArray().Select(c => $"{c.GetProperty("name").GetString()}:{c.GetProperty("type").GetString()}"));
        var profile = JsonDocument.Parse(description.Profile).RootElement;
        Assert.Equal(300, profile.GetProperty("num_rows").GetInt32());
        Assert.Equal(300, description.RowCount);
        var age = profile.GetProperty("columns").GetProperty("Age");
        Assert.Equal(1, age.GetProperty("missing").GetInt32());
        Assert.Equal(patients.Skip(1).Min(p => p.Age), age.GetProperty("min").GetDouble());
        Assert.Equal(patients.Skip(1).Max(p => p.Age), age.GetProperty("max").GetDouble());
        var wards = profile.GetProperty("columns").GetProperty("Ward").GetProperty("levels");
        Assert.Equal(300, TestData.Wards.Sum(w => wards.TryGetProperty(w, out var n) ? n.GetInt32() : 0));
        Assert.Equal(patients.Count(p => p.Readmitted), profile.GetProperty("columns").GetProperty("Readmitted").GetProperty("true").GetInt32());
    }

    [Fact]
    public void Vector_columns_are_hashed_and_described_as_arrays()
    {
        var data = TestData.Featurizer(_ml).Fit(TestData.Load(_ml)).Transform(TestData.Load(_ml));

        var description = DataViewDescription.Describe(data);

        var features = JsonDocument.Parse(description.Schema).RootElement.GetProperty("mlflow_colspec").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "Features");
        Assert.Equal("array", features.GetProperty("type").GetString());
        Assert.Equal("float", features.GetProperty("items").GetProperty("type").GetString());
        var profile = JsonDocument.Parse(description.Profile).RootElement.GetProperty("columns").GetProperty("Features");
        Assert.Equal(5, profile.GetProperty("size").GetInt32());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
