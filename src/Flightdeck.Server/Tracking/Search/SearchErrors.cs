using Flightdeck.Contracts;

namespace Flightdeck.Server.Tracking.Search;

/// <summary>The INVALID_PARAMETER_VALUE errors of the search grammar, worded like MLflow's.</summary>
internal static class SearchErrors
{
    public static FlightdeckException InvalidClause(string clause) =>
        FlightdeckException.InvalidParameter($"Invalid clause(s) in filter string: '{clause}'");

    public static FlightdeckException Filter(string filter, string why) =>
        FlightdeckException.InvalidParameter($"Error on parsing filter '{filter}': {why}");

    public static FlightdeckException OrderBy(string orderBy, string why) =>
        FlightdeckException.InvalidParameter($"Invalid order_by clause '{orderBy}'. {why}");

    public static FlightdeckException InvalidAttribute(string key, IEnumerable<string> valid) =>
        FlightdeckException.InvalidParameter(
            $"Invalid attribute key '{key}' specified. Valid keys are '{Format(valid)}'");

    public static FlightdeckException InvalidComparator(string comparator, string what, IEnumerable<string> valid) =>
        FlightdeckException.InvalidParameter(
            $"Invalid comparator '{comparator}' for {what}. Valid comparators are '{Format(valid)}'");

    public static string Format(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(v => $"'{v}'")) + "]";
}
