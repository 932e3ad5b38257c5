namespace Flightdeck.Server.Tests.Robustness;

/// <summary>Bodies that are not a JSON object: every JSON endpoint must refuse each with a 400.</summary>
internal static class MalformedJson
{
    public static IReadOnlyList<(string Name, string Body)> Fixed { get; } =
    [
        ("open brace", "{"),
        ("close brace", "}"),
        ("open bracket", "["),
        ("array", "[]"),
        ("array of objects", "[{}]"),
        ("null", "null"),
        ("true", "true"),
        ("number", "0"),
        ("string", "\"run_id\""),
        ("missing value", "{\"run_id\":}"),
        ("missing colon", "{\"run_id\" \"x\"}"),
        ("single quotes", "{'run_id': 'x'}"),
        ("unquoted name", "{run_id: \"x\"}"),
        ("trailing comma", "{\"run_id\": \"x\",}"),
        ("comment", "{\"run_id\": \"x\" /* hi */}"),
        ("line comment", "{\"run_id\": \"x\"} // hi"),
        ("two objects", "{}{}"),
        ("unterminated string", "{\"run_id\": \"x}"),
        ("raw newline in string", "{\"run_id\": \"a\nb\"}"),
        ("raw NUL", "{\"run_id\": \"a\u0000b\"}"),
        ("bare NaN", "{\"value\": NaN}"),
        ("hex number", "{\"step\": 0x10}"),
        ("leading zeros", "{\"step\": 007}"),
        ("plus sign", "{\"step\": +1}"),
        ("invalid escape", "{\"run_id\": \"\\q\"}"),
        ("truncated unicode escape", "{\"run_id\": \"\\u12\"}"),
        ("XML", "<run_id>x</run_id>"),
        ("form encoding", "run_id=x&key=y"),
        ("YAML", "run_id: x\nkey: y"),
    ];
}
