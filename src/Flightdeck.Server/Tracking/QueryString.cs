using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Flightdeck.Server.Tracking;

/// <summary>MLflow GET requests carry their fields in the query string; repeated keys form lists.</summary>
internal static class QueryString
{
    public static string? String(this IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 ? values[values.Count - 1] : null;

    public static List<string> List(this IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) ? values.Where(v => v is not null).Select(v => v!).ToList() : [];

    public static long? Long(this IQueryCollection query, string name)
    {
        var text = query.String(name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Validation.Invalid(name, text);
    }
}
