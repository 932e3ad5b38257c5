using Microsoft.ML.Data;

namespace Flightdeck.Samples.Readmission.Data;

/// <summary>One hospital discharge: what is known when the patient leaves, and whether they came back within 30 days.</summary>
public sealed class PatientRecord
{
    [LoadColumn(0), ColumnName("age")]
    public float Age { get; set; }

    [LoadColumn(1), ColumnName("length_of_stay")]
    public float LengthOfStay { get; set; }

    [LoadColumn(2), ColumnName("prior_admissions")]
    public float PriorAdmissions { get; set; }

    [LoadColumn(3), ColumnName("medication_count")]
    public float MedicationCount { get; set; }

    /// <summary>Glycated haemoglobin (%); NaN when it was not measured during the stay.</summary>
    [LoadColumn(4), ColumnName("hba1c")]
    public float HbA1c { get; set; }

    [LoadColumn(5), ColumnName("discharge_type")]
    public string DischargeType { get; set; } = "";

    [LoadColumn(6), ColumnName("readmitted")]
    public bool Readmitted { get; set; }
}
