using Flightdeck.Contracts;

namespace Flightdeck.Server.Tracking.Search;

/// <summary>Comparator sets and value checks shared by run and experiment search.</summary>
internal static class SearchRules
{
    public static readonly string[] NumericComparators = ["=", "!=", ">", ">=", "<", "<="];
    public static readonly string[] StringComparators = ["=", "!=", "LIKE", "ILIKE"];
    public static readonly string[] ListComparators = ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"];

    public static void RequireComparator(SearchComparison clause, string[] valid, string what)
    {
        if (!valid.Contains(clause.Comparator, StringComparer.Ordinal))
        {
            throw SearchErrors.InvalidComparator(clause.Comparator, what, valid);
        }
    }

    public static double RequireNumber(SearchComparison clause, string what) =>
        clause.Value.Number ?? throw FlightdeckException.InvalidParameter(
            $"Expected numeric value type for {what}. Found {clause.Value.Raw}");

    /// <summary>A time bound as a long when it is whole (the columns are BIGINT), else as a double.</summary>
    public static object RequireTime(SearchComparison clause, string key)
    {
        var number = RequireNumber(clause, $"numeric attribute: {key}");
        return double.IsFinite(number) && Math.Floor(number) == number && Math.Abs(number) < 9e18
            ? (object)(long)number
            : number;
    }

    /// <summary>Checks the value is a quoted string, or a list for IN / NOT IN.</summary>
    public static void RequireText(SearchComparison clause, string what)
    {
        var isList = clause.Comparator is "IN" or "NOT IN";
        if (isList && clause.Value.List is null)
        {
            throw FlightdeckException.InvalidParameter(
                $"Expected a parenthesised list of quoted strings for '{clause.Comparator}' on {what}. Got value {clause.Value.Raw}");
        }

        if (!isList && clause.Value.Text is null)
        {
            throw FlightdeckException.InvalidParameter(
                $"Expected a quoted string value for {what} (e.g. 'my-value'). Got value {clause.Value.Raw}");
        }
    }

    public static void RejectDuplicates(IEnumerable<(string Identity, string Raw)> items)
    {
        var duplicates = items.GroupBy(i => i.Identity, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => g.First().Raw).ToList();
        if (duplicates.Count > 0)
        {
            throw FlightdeckException.InvalidParameter(
                $"`order_by` contains duplicate fields: {string.Join(", ", duplicates.Select(d => $"'{d}'"))}");
        }
    }
}
