using System.Globalization;
using System.Text.Json;

namespace Flightdeck.Server.Tests.Robustness;

/// <summary>
/// Decides which mutated requests the server must refuse. It is deliberately partial: where MLflow's contract leaves
/// room (free text, lenient fields) the sweep only checks that the answer is well-formed and never a 5xx.
/// </summary>
internal static class FuzzOracle
{
    private static readonly HashSet<string> NamedFloats = ["NaN", "Infinity", "-Infinity"];

    public static bool MustFailInJson(FuzzField field, Garbage garbage)
    {
        if (garbage.Kind == JsonValueKind.String && garbage.Text is null)
        {
            return true; // invalid escapes and lone surrogates never read as a string
        }

        if (IsTypeMismatch(field.Role, garbage))
        {
            return true;
        }

        if (garbage.Kind == JsonValueKind.Null)
        {
            return field.Role is FieldRole.RunId or FieldRole.ExperimentId or FieldRole.Key;
        }

        return garbage.Text is { } text && MustFailText(field, text);
    }

    public static bool MustFailInQuery(FuzzField field, string text) => field.Role switch
    {
        FieldRole.RunId or FieldRole.ExperimentId => true,
        FieldRole.Enum => text.Length > 0 && !IsEnumNumber(text),
        FieldRole.Integer => text.Length > 0 && !GarbageCatalog.IsInteger(text),
        _ => field.MaxLength is { } max && text.Length > max,
    };

    /// <summary>Removing a required field must be refused.</summary>
    public static bool MustFailWhenMissing(FuzzField field) => field.Role is FieldRole.RunId or FieldRole.ExperimentId or FieldRole.Key;

    private static bool MustFailText(FuzzField field, string text) => field.Role switch
    {
        FieldRole.RunId or FieldRole.ExperimentId => true,
        FieldRole.OptionalExperimentId => text.Length > 0,
        FieldRole.Key => !GarbageCatalog.IsValidKey(text),
        FieldRole.Enum => !IsEnumNumber(text),
        _ => field.MaxLength is { } max && text.Length > max,
    };

    /// <summary>Enum numbers valid for both RunStatus and ViewType; the server tolerates surrounding spaces.</summary>
    private static bool IsEnumNumber(string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 3;

    private static bool IsTypeMismatch(FieldRole role, Garbage garbage) => role switch
    {
        FieldRole.List => garbage.Kind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.Object
            || garbage.Name == "array of garbage",
        FieldRole.Object => garbage.Kind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.Array,
        FieldRole.Integer => garbage.Kind switch
        {
            JsonValueKind.Number => !long.TryParse(garbage.Json, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            JsonValueKind.String => !long.TryParse(garbage.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            JsonValueKind.True or JsonValueKind.Object or JsonValueKind.Array => true,
            _ => false,
        },
        FieldRole.Real => garbage.Kind switch
        {
            JsonValueKind.String => !NamedFloats.Contains(garbage.Text!)
                && !double.TryParse(garbage.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            JsonValueKind.True or JsonValueKind.Object or JsonValueKind.Array => true,
            _ => false,
        },
        FieldRole.Enum => garbage.Kind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.Object or JsonValueKind.Array,
        _ => garbage.Kind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.Object or JsonValueKind.Array,
    };
}
