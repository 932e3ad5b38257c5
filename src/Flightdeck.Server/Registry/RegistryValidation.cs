using System.Globalization;
using System.Text.RegularExpressions;
using Flightdeck.Contracts;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Registry;

/// <summary>The registry's input rules and MLflow's messages for them (mlflow/utils/validation.py, model_registry).</summary>
internal static partial class RegistryValidation
{
    public const int MaxModelNameLength = 256;
    public const int MaxDescriptionLength = 5000;
    public const int MaxAliasLength = 255;

    [GeneratedRegex(@"^[\w\-]*$")]
    private static partial Regex AliasPattern();

    [GeneratedRegex(@"^v\d+$", RegexOptions.IgnoreCase)]
    private static partial Regex VersionAliasPattern();

    public static string ModelName(string? name, string parameter = "name")
    {
        var value = Validation.Required(name, parameter);
        return value.Length <= MaxModelNameLength
            ? value
            : throw FlightdeckException.InvalidParameter($"'{parameter}' exceeds the maximum length of {MaxModelNameLength} characters");
    }

    public static int Version(string? version)
    {
        var text = Validation.Required(version, "version");
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw FlightdeckException.InvalidParameter($"Parameter 'version' must be an integer, got '{Validation.Shorten(text)}'.");
    }

    public static string? Description(string? description) =>
        description is { Length: > MaxDescriptionLength }
            ? throw FlightdeckException.InvalidParameter($"'description' exceeds the maximum length of {MaxDescriptionLength} characters")
            : description;

    public static string Alias(string? alias)
    {
        var value = Validation.Required(alias, "alias");
        if (value.Length > MaxAliasLength)
        {
            throw FlightdeckException.InvalidParameter($"Alias name exceeds the maximum length of {MaxAliasLength} characters");
        }

        if (!AliasPattern().IsMatch(value))
        {
            throw FlightdeckException.InvalidParameter(
                $"Invalid alias name: '{Validation.Shorten(value)}'. Names may only contain alphanumerics, underscores (_) and dashes (-).");
        }

        if (value.Equals("latest", StringComparison.OrdinalIgnoreCase) || VersionAliasPattern().IsMatch(value))
        {
            throw FlightdeckException.InvalidParameter(
                $"'{value}' alias name (case insensitive) is reserved. Aliases 'latest' and 'v<number>' cannot be used.");
        }

        return value;
    }

    /// <summary>A stage name in any case, returned in MLflow's spelling.</summary>
    public static string Stage(string? stage, string parameter = "stage")
    {
        var text = Validation.Required(stage, parameter);
        return ModelStage.All.FirstOrDefault(s => s.Equals(text, StringComparison.OrdinalIgnoreCase))
            ?? throw FlightdeckException.InvalidParameter(
                $"Invalid Model Version stage: {Validation.Shorten(text)}. Value must be one of {string.Join(", ", ModelStage.All)}.");
    }

    public static (string Key, string Value) Tag(string? key, string? value, string keyParameter = "key", string valueParameter = "value")
    {
        var validKey = Validation.Key(key, "tag", keyParameter);
        return (validKey, Validation.Value(value, Validation.MaxTagValueLength, "Tag", validKey, valueParameter));
    }

    public static FlightdeckException ModelNotFound(string name) =>
        FlightdeckException.NotFound($"Registered Model with name={Validation.Shorten(name)} not found");

    public static FlightdeckException ModelExists(string name) =>
        FlightdeckException.AlreadyExists($"Registered Model (name={Validation.Shorten(name)}) already exists.");

    public static FlightdeckException VersionNotFound(string name, int version) =>
        FlightdeckException.NotFound($"Model Version (name={Validation.Shorten(name)}, version={version}) not found");

    public static FlightdeckException AliasNotFound(string name, string alias) =>
        FlightdeckException.NotFound($"Registered model alias {Validation.Shorten(alias)} not found for model {Validation.Shorten(name)}.");
}
