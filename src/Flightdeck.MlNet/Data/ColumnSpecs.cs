using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flightdeck.MlNet.Data;

/// <summary>ML.NET column types as MLflow column specs (<c>{"type":"float","name":"age","required":true}</c>).</summary>
internal static class ColumnSpecs
{
    public static JsonObject ToMlflowSchema(IEnumerable<DataViewSchema.Column> columns)
    {
        var specs = new JsonArray();
        foreach (var column in columns)
        {
            var spec = column.Type is VectorDataViewType vector
                ? new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = TypeName(vector.ItemType) } }
                : new JsonObject { ["type"] = TypeName(column.Type) };
            spec["name"] = column.Name;
            // ML.NET has no nullability: NaN and empty text stand for missing values, so every column is present.
            spec["required"] = true;
            specs.Add(spec);
        }

        return new JsonObject { ["mlflow_colspec"] = specs };
    }

    /// <summary>MLflow's data type names; key columns are the integers they are stored as.</summary>
    public static string TypeName(DataViewType type) => type switch
    {
        TextDataViewType => "string",
        BooleanDataViewType => "boolean",
        DateTimeDataViewType or DateTimeOffsetDataViewType => "datetime",
        _ when type.RawType == typeof(float) => "float",
        _ when type.RawType == typeof(double) => "double",
        _ when type.RawType == typeof(long) || type.RawType == typeof(ulong) || type.RawType == typeof(uint) => "long",
        _ when type.RawType == typeof(int) || type.RawType == typeof(short) || type.RawType == typeof(ushort)
            || type.RawType == typeof(sbyte) || type.RawType == typeof(byte) => "integer",
        _ => "binary",
    };
}
