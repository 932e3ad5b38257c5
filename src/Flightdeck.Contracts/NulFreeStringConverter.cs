using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flightdeck.Contracts;

/// <summary>
/// Refuses strings containing U+0000 when reading. PostgreSQL cannot store NUL in text and SQLite silently truncates
/// at it, so a NUL anywhere in a request is a 400 up front rather than a storage failure later.
/// </summary>
public sealed class NulFreeStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string but found {reader.TokenType}.");
        }

        var value = reader.GetString()!;
        return value.Contains('\0', StringComparison.Ordinal)
            ? throw new JsonException("Strings must not contain NUL (\\u0000) characters.")
            : value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
