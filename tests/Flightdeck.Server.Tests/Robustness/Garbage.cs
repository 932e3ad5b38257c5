using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Flightdeck.Server.Tests.Robustness;

/// <summary>A JSON value to put where a field goes: its raw JSON text, its JSON kind and, for strings, the text.</summary>
internal sealed record Garbage(string Name, string Json, JsonValueKind Kind, string? Text = null)
{
    public static Garbage Raw(string name, string json, JsonValueKind kind) => new(name, json, kind);

    /// <summary>A string as clients send it: non-ASCII as raw UTF-8 (JavaScript's JSON.stringify), not \u-escaped.</summary>
    public static Garbage String(string name, string text) => new(name, RawJsonString(text), JsonValueKind.String, text);

    /// <summary>A string with every non-ASCII character \u-escaped (Python's json.dumps).</summary>
    public static Garbage AsciiEscapedString(string name, string text) => new(name, JsonSerializer.Serialize(text), JsonValueKind.String, text);

    /// <summary>Escapes only what JSON requires; System.Text.Json's encoders always escape characters outside the BMP.</summary>
    private static string RawJsonString(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                < ' ' => builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => builder.Append(c),
            };
        }

        return builder.Append('"').ToString();
    }

    /// <summary>A string whose JSON escapes are written by hand, for what a serializer would never produce.</summary>
    public static Garbage EscapedString(string name, string escapedJson, string? text) => new(name, escapedJson, JsonValueKind.String, text);

    /// <summary>How the value travels in a query string.</summary>
    public string QueryText => Text ?? Json;

    public override string ToString() => Name;
}

/// <summary>The garbage of the sweep: fixed hostile values plus seeded random strings.</summary>
internal static partial class GarbageCatalog
{
    public const int HugeLength = 1024 * 1024 + 1;

    private static readonly string[] SqlFragments =
    [
        "' OR '1'='1", "'; DROP TABLE runs; --", "\"; DROP TABLE experiments; --", "1; DELETE FROM metrics", "') OR 1=1 --",
        "' UNION SELECT run_uuid, name FROM runs --", "%' AND 1=0 UNION SELECT sqlite_version() --", "$1", "@s0", "?", "\\'",
    ];

    /// <summary>Every field of every endpoint gets each of these.</summary>
    public static IReadOnlyList<Garbage> Fixed { get; } = BuildFixed();

    private static List<Garbage> BuildFixed()
    {
        var list = new List<Garbage>
        {
            Garbage.Raw("number", "12345", JsonValueKind.Number),
            Garbage.Raw("negative", "-1", JsonValueKind.Number),
            Garbage.Raw("fraction", "1.5", JsonValueKind.Number),
            Garbage.Raw("overflowing number", "1e400", JsonValueKind.Number),
            Garbage.Raw("below long.MinValue", "-9223372036854775809", JsonValueKind.Number),
            Garbage.Raw("above long.MaxValue", "9223372036854775808", JsonValueKind.Number),
            Garbage.Raw("true", "true", JsonValueKind.True),
            Garbage.Raw("null", "null", JsonValueKind.Null),
            Garbage.Raw("empty object", "{}", JsonValueKind.Object),
            Garbage.Raw("nested object", """{"a": [1, {"b": null}], "key": "k"}""", JsonValueKind.Object),
            Garbage.Raw("empty array", "[]", JsonValueKind.Array),
            Garbage.Raw("array of garbage", """[1, "x", null, {}, [[]], true, 1e400]""", JsonValueKind.Array),
            Garbage.Raw("array of nulls", "[null, null]", JsonValueKind.Array),
            Garbage.String("empty string", ""),
            Garbage.String("blank", "   "),
            Garbage.String("word", "abc"),
            Garbage.String("NaN text", "NaN"),
            Garbage.String("numeric text", "4242424242"),
            Garbage.String("huge ascii", new string('a', HugeLength)),
            Garbage.String("huge emoji", string.Concat(Enumerable.Repeat("🚀", HugeLength / 8))),
            Garbage.String("4k ascii", new string('k', 4000)),
            Garbage.String("unicode key", "κλειδί_ключ_键_鍵"),
            Garbage.String("emoji", "loss🔥/acc📈"),
            Garbage.AsciiEscapedString("escaped unicode", "κλειδί 🔥 ключ"),
            Garbage.String("combining and RTL", "e\u0301\u202Eabc\u200B\uFEFF"),
            Garbage.String("control characters", "a\u0000b\u0001c\u001f\n\t\r"),
            Garbage.String("NUL only", "\u0000"),
            Garbage.EscapedString("lone high surrogate", "\"x\\ud800y\"", null),
            Garbage.EscapedString("lone low surrogate", "\"\\udc00\"", null),
            Garbage.EscapedString("bad escape", "\"\\x41\"", null),
            Garbage.String("path traversal", "../../../etc/passwd"),
            Garbage.String("windows traversal", "..\\..\\windows\\win.ini"),
            Garbage.String("encoded traversal", "%2e%2e%2f%2e%2e%2f"),
            Garbage.String("dot dot", ".."),
            Garbage.String("1000 hex characters", new string('f', 1000)),
            Garbage.String("non-hex id", "zzzz-not-an-id"),
            Garbage.String("negative id", "-1"),
            Garbage.String("huge numeric id", "99999999999999999999"),
            Garbage.String("arabic digits", "١٢٣"),
            Garbage.String("fullwidth digits", "１２３"),
            Garbage.String("padded digits", " 1 "),
            Garbage.String("hex number", "0x10"),
        };
        list.AddRange(SqlFragments.Select((s, i) => Garbage.String($"sql fragment {i}", s)));
        return list;
    }

    /// <summary>A few seeded random strings per field: unicode soup, SQL-ish token salad, random lengths.</summary>
    public static IEnumerable<Garbage> Random(Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var text = (i % 3) switch
            {
                0 => UnicodeSoup(random, random.Next(1, 300)),
                1 => string.Join(random.Next(2) == 0 ? " " : "", Enumerable.Range(0, random.Next(1, 10)).Select(_ => Pick(random, SearchGarbage.Tokens))),
                _ => Pick(random, SqlFragments) + UnicodeSoup(random, random.Next(0, 20)),
            };
            yield return Garbage.String($"random string {i}", text);
        }
    }

    public static string UnicodeSoup(Random random, int length)
    {
        var builder = new StringBuilder(length);
        while (builder.Length < length)
        {
            var codePoint = random.Next(8) switch
            {
                0 => random.Next(0, 0x20),          // control
                1 => random.Next(0x20, 0x7F),       // ASCII
                2 => random.Next(0x80, 0x800),      // Latin, Greek, Cyrillic, Hebrew, Arabic
                3 => random.Next(0x4E00, 0x9FFF),   // CJK
                4 => random.Next(0x1F300, 0x1FAFF), // emoji
                5 => random.Next(0x300, 0x370),     // combining marks
                6 => random.Next(0x2000, 0x2070),   // spaces, bidi controls, zero-width
                _ => random.Next(0xE000, 0xF8FF),   // private use
            };
            builder.Append(char.ConvertFromUtf32(codePoint));
        }

        return builder.ToString();
    }

    public static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>Whether a string is a valid metric, param or tag name: MLflow's character set and length.</summary>
    public static bool IsValidKey(string key) => key.Length <= 250 && KeyPattern().IsMatch(key) && IsPathStable(key);

    public static bool IsInteger(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    private static bool IsPathStable(string key) =>
        key.Length == 0 || (!key.StartsWith('/') && !key.EndsWith('/') && !key.Contains("//", StringComparison.Ordinal)
            && key.Split('/').All(s => s is not ("." or "..")));

    [GeneratedRegex(@"^[/\w.\- ]*$")]
    private static partial Regex KeyPattern();
}
