using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flightdeck.Contracts;

/// <summary>
/// Protobuf's JSON mapping writes enums as their UPPER_SNAKE names and accepts either names or numbers;
/// MLflow clients send both, so both are read.
/// </summary>
public abstract class ProtoEnumConverter<TEnum> : JsonConverter<TEnum> where TEnum : struct, Enum
{
    private readonly Dictionary<string, TEnum> _byName;
    private readonly Dictionary<TEnum, string> _names;

    protected ProtoEnumConverter()
    {
        _names = Enum.GetValues<TEnum>().ToDictionary(v => v, v => ToProtoName(v.ToString()));
        _byName = _names.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.OrdinalIgnoreCase);
    }

    public string NameOf(TEnum value) => _names[value];

    public bool TryParse(string text, out TEnum value)
    {
        if (_byName.TryGetValue(text, out value))
        {
            return true;
        }

        return int.TryParse(text, out var number) && TryFromNumber(number, out value);
    }

    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number) && TryFromNumber(number, out var byNumber))
        {
            return byNumber;
        }

        if (reader.TokenType == JsonTokenType.String && TryParse(reader.GetString()!, out var byName))
        {
            return byName;
        }

        throw new JsonException($"Invalid value for {typeof(TEnum).Name}; expected one of {string.Join(", ", _names.Values)}.");
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) =>
        writer.WriteStringValue(_names[value]);

    private static bool TryFromNumber(int number, out TEnum value)
    {
        value = (TEnum)Enum.ToObject(typeof(TEnum), number);
        return Enum.IsDefined(value);
    }

    private static string ToProtoName(string pascal) => JsonNamingPolicy.SnakeCaseUpper.ConvertName(pascal);
}

public sealed class RunStatusConverter : ProtoEnumConverter<RunStatus>
{
    public static readonly RunStatusConverter Instance = new();
}

public sealed class ViewTypeConverter : ProtoEnumConverter<ViewType>
{
    public static readonly ViewTypeConverter Instance = new();
}
