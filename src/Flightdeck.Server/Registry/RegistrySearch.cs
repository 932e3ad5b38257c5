using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking.Search;

namespace Flightdeck.Server.Registry;

/// <summary>
/// Compiles the registry searches with the tracking grammar (Tracking/Search): registered models over
/// <c>registered_models m</c> (name, tags; ordered by name, timestamp, last_updated_timestamp) and model versions over
/// <c>model_versions v</c> (name, run_id, source_path, version_number, tags).
/// </summary>
internal static class RegistrySearch
{
    private static readonly Dictionary<string, SearchEntity> Prefixes = new(StringComparer.Ordinal)
    {
        ["attribute"] = SearchEntity.Attribute,
        ["attributes"] = SearchEntity.Attribute,
        ["attr"] = SearchEntity.Attribute,
        ["tag"] = SearchEntity.Tag,
        ["tags"] = SearchEntity.Tag,
    };

    private static readonly string[] ModelFilterKeys = ["name"];
    private static readonly string[] ModelOrderKeys = ["name", "timestamp", "creation_timestamp", "last_updated_timestamp"];
    private static readonly string[] VersionFilterKeys = ["name", "run_id", "source_path", "version_number"];
    private static readonly string[] VersionOrderKeys = ["name", "version_number", "timestamp", "creation_timestamp", "last_updated_timestamp"];

    public static CompiledSearch CompileModels(string? filter, IReadOnlyList<string>? orderBy, SqlDialect dialect)
    {
        var sql = new SearchSqlWriter(dialect);
        var clauses = SearchParser.ParseFilter(filter, Prefixes).Select(clause =>
        {
            if (clause.Left.Entity == SearchEntity.Tag)
            {
                return TagClause(clause, sql, "m.name IN (SELECT t.name FROM registered_model_tags t", "");
            }

            if (clause.Left.Key != "name")
            {
                throw SearchErrors.InvalidAttribute(clause.Left.Key, ModelFilterKeys);
            }

            return NameClause(clause, sql, "m.name");
        }).ToList();
        var order = CompileOrder(orderBy, sql, ModelOrderKeys, key => key switch
        {
            "name" => sql.Bytewise("m.name"),
            "timestamp" or "creation_timestamp" => "m.creation_time",
            _ => "m.last_updated_time",
        }, "m.name", defaultOrder: sql.Bytewise("m.name") + " ASC");
        return new CompiledSearch("", Where(clauses), order, sql.Parameters);
    }

    public static CompiledSearch CompileVersions(string? filter, IReadOnlyList<string>? orderBy, SqlDialect dialect)
    {
        var sql = new SearchSqlWriter(dialect);
        var clauses = SearchParser.ParseFilter(filter, Prefixes).Select(clause =>
        {
            if (clause.Left.Entity == SearchEntity.Tag)
            {
                return TagClause(clause, sql, "EXISTS (SELECT 1 FROM model_version_tags t", " AND t.name = v.name AND t.version = v.version");
            }

            return clause.Left.Key switch
            {
                "name" => NameClause(clause, sql, "v.name"),
                "run_id" => TextClause(clause, sql, "v.run_id", ["=", "!=", "IN", "NOT IN"]),
                "source_path" => TextClause(clause, sql, "v.source", SearchRules.StringComparators),
                "version_number" => sql.CompareNumber("v.version", RequireNumericComparator(clause), (long)SearchRules.RequireNumber(clause, "version_number")),
                _ => throw SearchErrors.InvalidAttribute(clause.Left.Key, VersionFilterKeys),
            };
        }).ToList();
        var order = CompileOrder(orderBy, sql, VersionOrderKeys, key => key switch
        {
            "name" => sql.Bytewise("v.name"),
            "version_number" => "v.version",
            "timestamp" or "creation_timestamp" => "v.creation_time",
            _ => "v.last_updated_time",
        }, "v.name, v.version", defaultOrder: sql.Bytewise("v.name") + " ASC, v.version DESC");
        return new CompiledSearch("", Where(clauses), order, sql.Parameters);
    }

    private static string Where(List<string> clauses) => clauses.Count == 0 ? "1=1" : string.Join(" AND ", clauses);

    private static string RequireNumericComparator(SearchComparison clause)
    {
        SearchRules.RequireComparator(clause, SearchRules.NumericComparators, "numeric attributes");
        return clause.Comparator;
    }

    /// <summary>
    /// A name comparison. PostgreSQL cannot use a name index for LIKE under a linguistic default collation, so a pattern
    /// with a literal prefix also gets the byte-wise range of that prefix, which the COLLATE "C" name indexes serve.
    /// </summary>
    private static string NameClause(SearchComparison clause, SearchSqlWriter sql, string column)
    {
        var compare = TextClause(clause, sql, column, SearchRules.StringComparators);
        if (clause.Comparator != "LIKE" || sql.Dialect != SqlDialect.Postgres || PrefixRange(clause.Value.Text!) is not { } range)
        {
            return compare;
        }

        var bytewise = sql.Bytewise(column);
        return $"{compare} AND {bytewise} >= {sql.Bind(range.Low)} AND {bytewise} < {sql.Bind(range.High)}";
    }

    /// <summary>
    /// The strings starting with a LIKE pattern's literal prefix (up to its first unescaped % or _) lie in [Low, High):
    /// High is the prefix with its last character incremented, which is also the next string in UTF-8 byte order.
    /// Null when there is no prefix or its last character has no simple successor.
    /// </summary>
    internal static (string Low, string High)? PrefixRange(string pattern)
    {
        var prefix = new System.Text.StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c is '%' or '_')
            {
                break;
            }

            if (c == '\\' && i + 1 < pattern.Length)
            {
                c = pattern[++i];
            }

            prefix.Append(c);
        }

        if (prefix.Length == 0 || prefix[^1] is var last && (char.IsSurrogate(last) || last >= '\uD7FF' && last < '\uE000' || last >= '\uFFFD'))
        {
            return null;
        }

        var low = prefix.ToString();
        return (low, low[..^1] + (char)(last + 1));
    }

    private static string TextClause(SearchComparison clause, SearchSqlWriter sql, string column, string[] comparators)
    {
        SearchRules.RequireComparator(clause, comparators, "string attributes");
        SearchRules.RequireText(clause, "attributes");
        return sql.CompareText(column, clause.Comparator, clause.Value);
    }

    private static string TagClause(SearchComparison clause, SearchSqlWriter sql, string open, string correlate)
    {
        SearchRules.RequireComparator(clause, SearchRules.StringComparators, "tags");
        SearchRules.RequireText(clause, "tag");
        var where = " WHERE t.key = " + sql.Bind(clause.Left.Key) + " AND " + sql.CompareText("t.value", clause.Comparator, clause.Value);
        return open + where + correlate + ")";
    }

    /// <summary>order_by items, then the given unique tie-breaker so pages never overlap.</summary>
    private static string CompileOrder(
        IReadOnlyList<string>? orderBy, SearchSqlWriter sql, string[] validKeys, Func<string, string> column, string tieBreaker, string defaultOrder)
    {
        if (orderBy is null || orderBy.Count == 0)
        {
            return defaultOrder + ", " + tieBreaker;
        }

        var terms = new List<string>();
        var identities = new List<(string, string)>();
        foreach (var item in orderBy.Select(o => SearchParser.ParseOrderBy(o, Prefixes)))
        {
            if (item.Key.Entity != SearchEntity.Attribute)
            {
                throw FlightdeckException.InvalidParameter($"Invalid order_by clause '{item.Raw}'. Only attributes can be ordered by.");
            }

            if (!validKeys.Contains(item.Key.Key, StringComparer.Ordinal))
            {
                throw FlightdeckException.InvalidParameter(
                    $"Invalid order by key '{item.Key.Key}' specified. Valid keys are {SearchErrors.Format(validKeys)}");
            }

            var expression = column(item.Key.Key);
            identities.Add((expression, item.Raw));
            terms.Add(expression + (item.Ascending ? " ASC" : " DESC"));
        }

        SearchRules.RejectDuplicates(identities);
        return string.Join(", ", terms) + ", " + tieBreaker;
    }
}
