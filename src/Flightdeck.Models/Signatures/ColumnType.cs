namespace Flightdeck.Models;

/// <summary>MLflow's column types (mlflow/types/schema.py DataType), written in lower case on the wire.</summary>
public enum ColumnType
{
    Boolean,
    Integer,
    Long,
    Float,
    Double,
    String,
    Binary,
    Datetime,
}

internal static class ColumnTypeNames
{
    public static string ToWire(this ColumnType type) => type switch
    {
        ColumnType.Boolean => "boolean",
        ColumnType.Integer => "integer",
        ColumnType.Long => "long",
        ColumnType.Float => "float",
        ColumnType.Double => "double",
        ColumnType.String => "string",
        ColumnType.Binary => "binary",
        ColumnType.Datetime => "datetime",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static bool TryParse(string? wire, out ColumnType type)
    {
        switch (wire)
        {
            case "boolean": type = ColumnType.Boolean; return true;
            case "integer": type = ColumnType.Integer; return true;
            case "long": type = ColumnType.Long; return true;
            case "float": type = ColumnType.Float; return true;
            case "double": type = ColumnType.Double; return true;
            case "string": type = ColumnType.String; return true;
            case "binary": type = ColumnType.Binary; return true;
            case "datetime": type = ColumnType.Datetime; return true;
            default: type = default; return false;
        }
    }
}
