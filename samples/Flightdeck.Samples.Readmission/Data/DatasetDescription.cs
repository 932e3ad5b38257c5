using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Flightdeck.Samples.Readmission.Data;

/// <summary>
/// What a run records about the CSV it trained on, in MLflow's dataset shape: a name, a short content digest,
/// the source (a file URI), a schema (MLflow's <c>mlflow_colspec</c> column list) and a profile (row count plus
/// per-column mean/min/max/missing for numeric columns, and level counts for the categorical one).
/// </summary>
public sealed record DatasetDescription(string Name, string Digest, string SourceType, string Source, string Schema, string Profile)
{
    /// <summary>MLflow caps digests at 36 characters; 16 hex characters of SHA-256 are plenty to tell files apart.</summary>
    public const int DigestLength = 16;

    public static DatasetDescription Describe(string name, string csvPath, IReadOnlyList<PatientRecord> records)
    {
        var fullPath = Path.GetFullPath(csvPath);
        var sourceUri = new Uri(fullPath).AbsoluteUri;
        return new DatasetDescription(
            name,
            ComputeDigest(fullPath),
            "local",
            new JsonObject { ["uri"] = sourceUri }.ToJsonString(),
            BuildSchema().ToJsonString(),
            BuildProfile(records).ToJsonString());
    }

    public static string ComputeDigest(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream))[..DigestLength];
    }

    private static JsonObject BuildSchema()
    {
        var columns = new JsonArray();
        foreach (var name in ReadmissionDataGenerator.ColumnNames)
        {
            var type = name switch
            {
                "discharge_type" => "string",
                "readmitted" => "boolean",
                "hba1c" => "double",
                _ => "long",
            };
            columns.Add(new JsonObject { ["type"] = type, ["name"] = name, ["required"] = name != "hba1c" });
        }

        return new JsonObject { ["mlflow_colspec"] = columns };
    }

    private static JsonObject BuildProfile(IReadOnlyList<PatientRecord> records)
    {
        var columns = new JsonObject
        {
            ["age"] = NumericProfile(records, r => r.Age),
            ["length_of_stay"] = NumericProfile(records, r => r.LengthOfStay),
            ["prior_admissions"] = NumericProfile(records, r => r.PriorAdmissions),
            ["medication_count"] = NumericProfile(records, r => r.MedicationCount),
            ["hba1c"] = NumericProfile(records, r => r.HbA1c),
            ["discharge_type"] = CategoricalProfile(records),
            ["readmitted"] = NumericProfile(records, r => r.Readmitted ? 1f : 0f),
        };
        return new JsonObject
        {
            ["num_rows"] = records.Count,
            ["num_elements"] = records.Count * ReadmissionDataGenerator.ColumnNames.Length,
            ["columns"] = columns,
        };
    }

    private static JsonObject NumericProfile(IReadOnlyList<PatientRecord> records, Func<PatientRecord, float> value)
    {
        var present = records.Select(value).Where(v => !float.IsNaN(v)).Select(v => (double)v).ToList();
        return new JsonObject
        {
            ["mean"] = present.Count == 0 ? null : Math.Round(present.Average(), 4),
            ["min"] = present.Count == 0 ? null : present.Min(),
            ["max"] = present.Count == 0 ? null : present.Max(),
            ["missing"] = records.Count - present.Count,
        };
    }

    private static JsonObject CategoricalProfile(IReadOnlyList<PatientRecord> records)
    {
        var levels = new JsonObject();
        foreach (var group in records.GroupBy(r => r.DischargeType).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            levels[group.Key] = group.Count();
        }

        return new JsonObject
        {
            ["missing"] = records.Count(r => string.IsNullOrEmpty(r.DischargeType)),
            ["levels"] = levels,
        };
    }

    /// <summary>Parses <see cref="Profile"/> back (tests and callers that want the numbers).</summary>
    public JsonElement ProfileJson() => JsonDocument.Parse(Profile).RootElement.Clone();
}
