namespace Flightdeck.Server.Tracking.Search;

/// <summary>
/// SQL fragments for one search: <see cref="Joins"/> (empty or LEFT JOINs that ordering needs), <see cref="Where"/>
/// ("1=1" without a filter), <see cref="OrderBy"/> (always ends with a unique tie-breaker) and the values they bind,
/// named <c>@s0</c>, <c>@s1</c>, ...
/// </summary>
internal sealed record CompiledSearch(string Joins, string Where, string OrderBy, IReadOnlyList<KeyValuePair<string, object?>> Parameters)
{
    /// <summary>Set when the search orders by a metric first: the same search as a walk of that metric's index.</summary>
    public MetricWalk? Walk { get; init; }
}

/// <summary>
/// A run search ordered first by metric <see cref="KeyParameter"/>, restricted to the runs whose value of it is a number,
/// as fragments over <c>latest_metrics {Alias}</c> joined to <c>runs r</c>: <see cref="Joins"/> for the other order
/// terms, <see cref="Where"/> (the filter, checked per walked row) and <see cref="OrderBy"/> (value, then the other terms).
/// In this order numbers come before NaN and missing values, so a page of these rows is a page of the whole search.
/// </summary>
internal sealed record MetricWalk(string Alias, string KeyParameter, string Direction)
{
    public string Joins { get; init; } = "";

    public string Where { get; init; } = "1=1";

    public string OrderBy { get; init; } = "";

    public bool Descending => Direction == "DESC";
}
