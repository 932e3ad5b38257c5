using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Flightdeck.Server.Tests.Robustness;

/// <summary>
/// Turns an endpoint's valid request into the sweep's requests: every field replaced by every garbage value or
/// removed, unknown fields added, and (for JSON bodies) malformed, truncated, mutated and random bodies.
/// Everything comes from one seeded <see cref="Random"/>, so a seed reproduces a failure.
/// </summary>
internal sealed class FuzzCaseGenerator(string runId, string experimentId, string experimentName, Random random)
{
    private const string Placeholder = "\u0007FUZZ\u0007";
    private const int MaxQueryValue = 4000;
    private const string Structural = "{}[]\":,\\ \0";
    private static readonly string SerializedPlaceholder = JsonValue.Create(Placeholder).ToJsonString();
    private int _serial;

    public string Valid(FuzzEndpoint endpoint) =>
        endpoint.Template.Replace("$RUN", runId, StringComparison.Ordinal)
            .Replace("$EXPNAME", experimentName, StringComparison.Ordinal)
            .Replace("$EXP", experimentId, StringComparison.Ordinal)
            .Replace("fuzz-new", $"fuzz-new-{_serial++}", StringComparison.Ordinal);

    public IEnumerable<FuzzCase> CasesFor(FuzzEndpoint endpoint, string prefix)
    {
        foreach (var field in endpoint.Fields)
        {
            foreach (var garbage in GarbageFor(field))
            {
                if (endpoint.IsQuery && garbage.QueryText.Length > MaxQueryValue)
                {
                    continue; // a multi-megabyte URL is Kestrel's to refuse; one "query too long" case covers it
                }

                yield return endpoint.IsQuery ? QueryCase(endpoint, prefix, field, garbage) : JsonCase(endpoint, prefix, field, garbage);
            }

            yield return Removed(endpoint, prefix, field);
        }

        foreach (var garbage in GarbageCatalog.Random(random, 3))
        {
            var name = "unknown_" + GarbageCatalog.UnicodeSoup(random, 4).Replace('/', '_');
            yield return endpoint.IsQuery
                ? Query(endpoint, prefix, "unknown field", Parameters(endpoint).Append((name, garbage.QueryText)), mustFail: false)
                : Json(endpoint, prefix, "unknown field", Mutate(endpoint, name, garbage.Json), mustFail: false);
        }

        var extra = endpoint.IsQuery ? QueryOddities(endpoint, prefix) : BodyOddities(endpoint, prefix);
        foreach (var oddity in extra)
        {
            yield return oddity;
        }

        // The wrong verb on a known route (experiments/search answers both).
        var otherMethod = endpoint.IsQuery ? "POST" : "GET";
        if (!TrackingEndpoints.All.Any(e => e.Route == endpoint.Route && e.Method == otherMethod))
        {
            yield return new FuzzCase("wrong method", otherMethod, endpoint.PathUnder(prefix), null, MustFail: true);
        }
    }

    private IEnumerable<Garbage> GarbageFor(FuzzField field)
    {
        foreach (var garbage in GarbageCatalog.Fixed)
        {
            yield return garbage;
        }

        foreach (var garbage in GarbageCatalog.Random(random, 4))
        {
            yield return garbage;
        }

        var name = field.Path.Split('/')[^1];
        if (field.Role is FieldRole.Lenient or FieldRole.List && name is "filter" or "order_by" or "page_token" or "0")
        {
            for (var i = 0; i < 8; i++)
            {
                yield return Garbage.String($"search {name} {i}", name switch
                {
                    "filter" => SearchGarbage.Filter(random),
                    "page_token" => GarbageCatalog.Pick(random, SearchGarbage.PageTokens),
                    _ => SearchGarbage.OrderBy(random),
                });
            }
        }
    }

    private FuzzCase JsonCase(FuzzEndpoint endpoint, string prefix, FuzzField field, Garbage garbage) =>
        Json(endpoint, prefix, $"{field.Path} = {garbage}", Mutate(endpoint, field.Path, garbage.Json), FuzzOracle.MustFailInJson(field, garbage));

    private FuzzCase QueryCase(FuzzEndpoint endpoint, string prefix, FuzzField field, Garbage garbage)
    {
        var parameters = Parameters(endpoint).Where(p => p.Name != field.Path).Append((field.Path, garbage.QueryText));
        return Query(endpoint, prefix, $"{field.Path} = {garbage}", parameters, FuzzOracle.MustFailInQuery(field, garbage.QueryText));
    }

    private FuzzCase Removed(FuzzEndpoint endpoint, string prefix, FuzzField field)
    {
        var mustFail = FuzzOracle.MustFailWhenMissing(field);
        if (endpoint.IsQuery)
        {
            return Query(endpoint, prefix, $"{field.Path} removed", Parameters(endpoint).Where(p => p.Name != field.Path), mustFail);
        }

        var root = JsonNode.Parse(Valid(endpoint))!;
        var (parent, name) = Navigate(root, field.Path);
        if (parent is JsonObject obj)
        {
            obj.Remove(name);
        }
        else if (parent is JsonArray array && int.TryParse(name, out var index) && index < array.Count)
        {
            array.RemoveAt(index);
            mustFail = false; // an emptied list is a valid request
        }

        return Json(endpoint, prefix, $"{field.Path} removed", root.ToJsonString(), mustFail);
    }

    /// <summary>The valid body with the field at <paramref name="path"/> replaced by raw JSON text.</summary>
    private string Mutate(FuzzEndpoint endpoint, string path, string rawJson)
    {
        var root = JsonNode.Parse(Valid(endpoint))!;
        var (parent, name) = Navigate(root, path);
        if (parent is JsonArray array)
        {
            array[int.Parse(name, System.Globalization.CultureInfo.InvariantCulture)] = JsonValue.Create(Placeholder);
        }
        else
        {
            parent[name] = JsonValue.Create(Placeholder);
        }

        return root.ToJsonString().Replace(SerializedPlaceholder, rawJson, StringComparison.Ordinal);
    }

    private static (JsonNode Parent, string Name) Navigate(JsonNode root, string path)
    {
        var segments = path.Split('/');
        var node = root;
        foreach (var segment in segments[..^1])
        {
            node = node is JsonArray array ? array[int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture)]! : node[segment]!;
        }

        return (node, segments[^1]);
    }

    private IEnumerable<(string Name, string Value)> Parameters(FuzzEndpoint endpoint)
    {
        foreach (var (name, value) in JsonNode.Parse(Valid(endpoint))!.AsObject())
        {
            if (value is JsonArray array)
            {
                foreach (var item in array)
                {
                    yield return (name, item!.GetValue<string>());
                }
            }
            else
            {
                yield return (name, value!.GetValue<string>());
            }
        }
    }

    private static FuzzCase Json(FuzzEndpoint endpoint, string prefix, string description, string body, bool mustFail) =>
        new(description, endpoint.Method, endpoint.PathUnder(prefix), Encoding.UTF8.GetBytes(body), mustFail);

    private static FuzzCase Query(FuzzEndpoint endpoint, string prefix, string description,
        IEnumerable<(string Name, string Value)> parameters, bool mustFail) =>
        new(description, "GET", endpoint.PathUnder(prefix) + "?" + string.Join("&", parameters.Select(p => $"{Escape(p.Name)}={Escape(p.Value)}")),
            null, mustFail);

    private static string Escape(string text) => Uri.EscapeDataString(text);

    private static byte[] ReplaceBytes(byte[] source, byte[] find, byte[] replacement)
    {
        var at = source.AsSpan().IndexOf(find);
        return [.. source.AsSpan(0, at), .. replacement, .. source.AsSpan(at + find.Length)];
    }

    private IEnumerable<FuzzCase> QueryOddities(FuzzEndpoint endpoint, string prefix)
    {
        var valid = string.Join("&", Parameters(endpoint).Select(p => $"{Escape(p.Name)}={Escape(p.Value)}"));
        var path = endpoint.PathUnder(prefix) + "?";
        yield return new FuzzCase("every parameter twice", "GET", path + valid + "&" + valid, null, MustFail: false);
        yield return new FuzzCase("bad percent-encoding", "GET", path + valid + "&x=%ZZ%G0%", null, MustFail: false);
        yield return new FuzzCase("encoded NUL", "GET", path + valid.Replace("=", "=%00", StringComparison.Ordinal), null, MustFail: false);
        yield return new FuzzCase("names without values", "GET", path + string.Join("&", Parameters(endpoint).Select(p => p.Name)), null,
            MustFail: endpoint.Fields.Any(FuzzOracle.MustFailWhenMissing));
        yield return new FuzzCase("query too long", "GET", path + valid + "&pad=" + new string('a', 20_000), null, MustFail: true);
        yield return new FuzzCase("body on a GET", "GET", path + valid, Encoding.UTF8.GetBytes("{\"garbage\": "), MustFail: false);
    }

    private IEnumerable<FuzzCase> BodyOddities(FuzzEndpoint endpoint, string prefix)
    {
        var route = endpoint.PathUnder(prefix);
        FuzzCase Body(string description, byte[] body, bool mustFail) => new(description, "POST", route, body, mustFail);
        FuzzCase Text(string description, string body, bool mustFail) => Body(description, Encoding.UTF8.GetBytes(body), mustFail);

        foreach (var malformed in MalformedJson.Fixed)
        {
            yield return Text("malformed: " + malformed.Name, malformed.Body, mustFail: true);
        }

        var valid = Valid(endpoint);
        yield return Text("deep array nesting", new string('[', 100_000) + new string(']', 100_000), mustFail: true);
        yield return Text("deep object nesting", string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000), mustFail: true);
        var textField = endpoint.Fields.FirstOrDefault(f => f.Role is FieldRole.Text or FieldRole.Key or FieldRole.RunId or FieldRole.ExperimentId
            or FieldRole.Lenient)?.Path ?? "name";
        var withBadBytes = Encoding.UTF8.GetBytes(Mutate(endpoint, textField, "\"\u0001BAD\u0001\""));
        yield return Body($"invalid UTF-8 in {textField}", ReplaceBytes(withBadBytes, "\u0001BAD\u0001"u8.ToArray(), [0xC3, 0x28, 0xFF]),
            mustFail: true);
        yield return Body("UTF-16 body", Encoding.Unicode.GetBytes(valid), mustFail: true);
        yield return Body("UTF-8 BOM", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(valid)], mustFail: false);
        yield return Text("trailing garbage", valid + " {}", mustFail: true);
        yield return Text("duplicated body", valid + valid, mustFail: true);
        yield return Text("valid body, form content type", valid, mustFail: false) with { ContentType = "application/x-www-form-urlencoded" };
        yield return Text("valid body, chunked", valid, mustFail: false) with { Chunked = true };
        yield return Text("malformed body, chunked", valid[..(valid.Length / 2)], mustFail: true) with { Chunked = true };

        for (var i = 0; i < 6; i++)
        {
            var cut = random.Next(1, valid.Length - 1);
            var truncated = valid[..cut];
            yield return Text($"truncated at {cut}", truncated, mustFail: !string.IsNullOrWhiteSpace(truncated));
        }

        for (var i = 0; i < 6; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(valid);
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = random.Next(2) == 0 ? (byte)random.Next(256) : (byte)Structural[random.Next(Structural.Length)];
            }

            yield return Body($"flipped bytes {i}", bytes, mustFail: false);
        }

        for (var i = 0; i < 4; i++)
        {
            var bytes = new byte[random.Next(1, 4096)];
            random.NextBytes(bytes);
            yield return Body($"random bytes {i}", bytes, mustFail: false);
        }
    }
}
