using System.Globalization;
using Flightdeck.Contracts;

namespace Flightdeck.Server.Tracking.Search;

/// <summary>
/// Parses MLflow's filter grammar (<c>identifier comparator value [AND ...]</c>) and order_by items
/// (<c>identifier [ASC|DESC]</c>) into syntax records. Which keys and comparators an entity accepts is checked by the
/// compilers (<see cref="RunSearch"/>, <see cref="ExperimentSearch"/>), not here.
/// </summary>
internal static class SearchParser
{
    private static readonly string[] Keywords = ["AND", "OR", "NOT", "IN", "LIKE", "ILIKE", "ASC", "DESC"];

    /// <param name="prefixes">The entity-type prefixes this search accepts, lower-case, mapped to their entity.</param>
    public static IReadOnlyList<SearchComparison> ParseFilter(string? filter, IReadOnlyDictionary<string, SearchEntity> prefixes)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return [];
        }

        var tokens = SearchLexer.Tokenize(filter, why => SearchErrors.Filter(filter, why));
        var comparisons = new List<SearchComparison>();
        var i = 0;
        while (true)
        {
            var left = ReadIdentifier(tokens, ref i, prefixes, filter);
            var comparator = ReadComparator(tokens, ref i, filter);
            var value = ReadValue(tokens, ref i, filter);
            comparisons.Add(new SearchComparison(left, comparator, value));
            if (i == tokens.Count)
            {
                return comparisons;
            }

            var joiner = tokens[i++];
            if (joiner.IsWord("OR"))
            {
                throw FlightdeckException.InvalidParameter(
                    $"Invalid clause(s) in filter string: 'OR'. Only AND is supported to combine conditions in '{filter}'");
            }

            if (!joiner.IsWord("AND"))
            {
                throw SearchErrors.InvalidClause(joiner.Raw);
            }

            if (i == tokens.Count)
            {
                throw SearchErrors.Filter(filter, "the filter ends with AND");
            }
        }
    }

    public static SearchOrder ParseOrderBy(string orderBy, IReadOnlyDictionary<string, SearchEntity> prefixes)
    {
        if (string.IsNullOrWhiteSpace(orderBy))
        {
            throw SearchErrors.OrderBy(orderBy ?? "", "Could not be parsed.");
        }

        var tokens = SearchLexer.Tokenize(orderBy, _ => SearchErrors.OrderBy(orderBy, "Could not be parsed."));
        var i = 0;
        var key = ReadIdentifier(tokens, ref i, prefixes, orderBy,
            () => SearchErrors.OrderBy(orderBy, "Could not be parsed."));
        var ascending = true;
        if (i < tokens.Count)
        {
            var direction = tokens[i++];
            if (direction.IsWord("DESC"))
            {
                ascending = false;
            }
            else if (!direction.IsWord("ASC"))
            {
                throw SearchErrors.OrderBy(orderBy, "Could not be parsed.");
            }
        }

        if (i != tokens.Count)
        {
            throw SearchErrors.OrderBy(orderBy, "Could not be parsed.");
        }

        return new SearchOrder(key, ascending, orderBy);
    }

    private static SearchIdentifier ReadIdentifier(
        List<SearchToken> tokens, ref int i, IReadOnlyDictionary<string, SearchEntity> prefixes, string text,
        Func<FlightdeckException>? error = null)
    {
        if (i >= tokens.Count)
        {
            throw error?.Invoke() ?? SearchErrors.Filter(text, "expected an identifier");
        }

        var token = tokens[i++];
        var isIdentifier = token.Kind switch
        {
            SearchTokenKind.Word => token.Prefix is not null || !Keywords.Contains(token.Text, StringComparer.OrdinalIgnoreCase),
            SearchTokenKind.QuotedIdentifier or SearchTokenKind.DoubleQuoted => true,
            _ => false,
        };
        if (!isIdentifier)
        {
            throw error?.Invoke() ?? SearchErrors.InvalidClause(token.Raw);
        }

        var entity = SearchEntity.Attribute;
        if (token.Prefix is not null && !prefixes.TryGetValue(token.Prefix.ToLowerInvariant(), out entity))
        {
            throw FlightdeckException.InvalidParameter(
                $"Invalid entity type '{token.Prefix}'. Valid values are {SearchErrors.Format(prefixes.Keys)}");
        }

        if (token.Text.Length == 0)
        {
            throw error?.Invoke() ?? SearchErrors.Filter(text, $"empty key in identifier '{token.Raw}'");
        }

        return new SearchIdentifier(entity, token.Text);
    }

    private static string ReadComparator(List<SearchToken> tokens, ref int i, string filter)
    {
        if (i >= tokens.Count)
        {
            throw SearchErrors.Filter(filter, "expected a comparator");
        }

        var token = tokens[i++];
        if (token.Kind == SearchTokenKind.Operator)
        {
            return token.Text;
        }

        if (token.IsWord("NOT") && i < tokens.Count && tokens[i].IsWord("IN"))
        {
            i++;
            return "NOT IN";
        }

        if (token.IsWord("LIKE") || token.IsWord("ILIKE") || token.IsWord("IN"))
        {
            return token.Text.ToUpperInvariant();
        }

        throw SearchErrors.InvalidClause(token.Raw);
    }

    private static SearchValue ReadValue(List<SearchToken> tokens, ref int i, string filter)
    {
        if (i >= tokens.Count)
        {
            throw SearchErrors.Filter(filter, "expected a value");
        }

        var token = tokens[i++];
        switch (token.Kind)
        {
            case SearchTokenKind.Number:
                return new SearchValue(token.Raw, Number: double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture));
            case SearchTokenKind.SingleQuoted or SearchTokenKind.DoubleQuoted:
                return new SearchValue(token.Raw, Text: token.Text);
            case SearchTokenKind.OpenParen:
                return ReadList(tokens, ref i, filter);
            default:
                throw SearchErrors.InvalidClause(token.Raw);
        }
    }

    private static SearchValue ReadList(List<SearchToken> tokens, ref int i, string filter)
    {
        var items = new List<string>();
        var raw = new List<string>();
        while (true)
        {
            if (i >= tokens.Count)
            {
                throw SearchErrors.Filter(filter, "unclosed parenthesis");
            }

            var token = tokens[i++];
            if (token.Kind is not (SearchTokenKind.SingleQuoted or SearchTokenKind.DoubleQuoted))
            {
                throw SearchErrors.Filter(filter,
                    $"while parsing a list in the query, expected a quoted string value but got '{token.Raw}'");
            }

            items.Add(token.Text);
            raw.Add(token.Raw);
            if (i >= tokens.Count)
            {
                throw SearchErrors.Filter(filter, "unclosed parenthesis");
            }

            var next = tokens[i++];
            if (next.Kind == SearchTokenKind.CloseParen)
            {
                return new SearchValue("(" + string.Join(", ", raw) + ")", List: items);
            }

            if (next.Kind != SearchTokenKind.Comma)
            {
                throw SearchErrors.Filter(filter,
                    $"while parsing a list in the query, expected ',' or ')' but got '{next.Raw}'");
            }
        }
    }
}
