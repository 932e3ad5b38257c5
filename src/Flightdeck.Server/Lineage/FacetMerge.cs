using System.Text;
using System.Text.Json;

namespace Flightdeck.Server.Lineage;

/// <summary>
/// OpenLineage metadata is additive across a run's events: facets are merged by name, a later facet replacing an
/// earlier one of the same name.
/// </summary>
internal static class FacetMerge
{
    public static string? Merge(string? storedJson, JsonElement? incoming)
    {
        if (incoming is not { ValueKind: JsonValueKind.Object } facets || !facets.EnumerateObject().Any())
        {
            return storedJson;
        }

        var merged = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(storedJson))
        {
            using var stored = JsonDocument.Parse(storedJson);
            foreach (var property in stored.RootElement.EnumerateObject())
            {
                merged[property.Name] = property.Value.Clone();
            }
        }

        foreach (var facet in facets.EnumerateObject())
        {
            merged[facet.Name] = facet.Value;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, facet) in merged)
            {
                writer.WritePropertyName(name);
                facet.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
