using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Flightdeck.Server.Tracking;

/// <summary>MLflow GET requests carry their fields in the query string; repeated keys form lists.</summary>
internal static class QueryString
{
    public static string? String(this IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 ? NulFree(values[values.Count - 1], name) : null;

    public static List<string> List(this IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) ? values.Where(v => v is not null).Select(v => NulFree(v, name)!).ToList() : [];

    /// <summary>NUL cannot be stored or compared in PostgreSQL text, so it is refused here as in JSON bodies.</summary>
    private static string? NulFree(string? value, string name) =>
        value is not null && value.Contains('\0', StringComparison.Ordinal) ? throw Validation.Invalid(name, value.Replace("\0", "\\0", StringComparison.Ordinal)) : value;

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
