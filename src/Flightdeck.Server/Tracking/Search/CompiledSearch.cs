namespace Flightdeck.Server.Tracking.Search;

/// <summary>
/// SQL fragments for one search: <see cref="Joins"/> (empty or LEFT JOINs that ordering needs), <see cref="Where"/>
/// ("1=1" without a filter), <see cref="OrderBy"/> (always ends with a unique tie-breaker) and the values they bind,
/// named <c>@s0</c>, <c>@s1</c>, ...
/// </summary>
internal sealed record CompiledSearch(string Joins, string Where, string OrderBy, IReadOnlyList<KeyValuePair<string, object?>> Parameters);
