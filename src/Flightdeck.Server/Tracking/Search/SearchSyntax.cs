namespace Flightdeck.Server.Tracking.Search;

/// <summary>The entity a search identifier names, from its prefix (<c>metrics.</c>, <c>tags.</c>, ...).</summary>
internal enum SearchEntity
{
    Attribute,
    Metric,
    Param,
    Tag,
    Dataset,
}

internal sealed record SearchIdentifier(SearchEntity Entity, string Key);

/// <summary>A right-hand side: exactly one of <see cref="Number"/>, <see cref="Text"/> or <see cref="List"/> is set.</summary>
internal sealed record SearchValue(string Raw, double? Number = null, string? Text = null, IReadOnlyList<string>? List = null);

/// <summary>One <c>identifier comparator value</c> clause; <see cref="Comparator"/> is upper-case (=, !=, LIKE, NOT IN, ...).</summary>
internal sealed record SearchComparison(SearchIdentifier Left, string Comparator, SearchValue Value);

internal sealed record SearchOrder(SearchIdentifier Key, bool Ascending, string Raw);
