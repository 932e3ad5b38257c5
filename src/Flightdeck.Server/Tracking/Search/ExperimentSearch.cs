using Flightdeck.Contracts;
using Flightdeck.Server.Storage;

namespace Flightdeck.Server.Tracking.Search;

/// <summary>
/// Compiles SearchExperiments' filter (name, creation_time, last_update_time, tags) and order_by (name,
/// experiment_id, creation_time, last_update_time) into SQL over <c>experiments e</c>.
/// </summary>
internal static class ExperimentSearch
{
    private static readonly Dictionary<string, SearchEntity> Prefixes = new(StringComparer.Ordinal)
    {
        ["attribute"] = SearchEntity.Attribute,
        ["attributes"] = SearchEntity.Attribute,
        ["attr"] = SearchEntity.Attribute,
        ["tag"] = SearchEntity.Tag,
        ["tags"] = SearchEntity.Tag,
    };

    private static readonly Dictionary<string, string> NumericAttributes = new(StringComparer.Ordinal)
    {
        ["creation_time"] = "e.creation_time",
        ["last_update_time"] = "e.last_update_time",
    };

    private static readonly string[] ValidFilterAttributes = ["name", "creation_time", "last_update_time"];

    private static readonly string[] ValidOrderAttributes = ["name", "experiment_id", "creation_time", "last_update_time"];

    public static CompiledSearch Compile(string? filter, IReadOnlyList<string>? orderBy, SqlDialect dialect)
    {
        var sql = new SearchSqlWriter(dialect);
        var clauses = SearchParser.ParseFilter(filter, Prefixes).Select(c => CompileClause(c, sql)).ToList();
        return new CompiledSearch("", clauses.Count == 0 ? "1=1" : string.Join(" AND ", clauses), CompileOrder(orderBy, sql),
            sql.Parameters);
    }

    private static string CompileClause(SearchComparison clause, SearchSqlWriter sql)
    {
        var key = clause.Left.Key;
        if (clause.Left.Entity == SearchEntity.Tag)
        {
            SearchRules.RequireComparator(clause, SearchRules.StringComparators, "tags");
            SearchRules.RequireText(clause, "tag");
            return "e.experiment_id IN (SELECT sf.experiment_id FROM experiment_tags sf WHERE sf.key = " + sql.Bind(key)
                + " AND " + sql.CompareText("sf.value", clause.Comparator, clause.Value) + ")";
        }

        if (NumericAttributes.TryGetValue(key, out var column))
        {
            SearchRules.RequireComparator(clause, SearchRules.NumericComparators, "numeric attributes");
            return sql.CompareNumber(column, clause.Comparator, SearchRules.RequireTime(clause, key));
        }

        if (key != "name")
        {
            throw SearchErrors.InvalidAttribute(key, ValidFilterAttributes);
        }

        SearchRules.RequireComparator(clause, SearchRules.StringComparators, "string attributes");
        SearchRules.RequireText(clause, "attributes");
        return sql.CompareText("e.name", clause.Comparator, clause.Value);
    }

    private static string CompileOrder(IReadOnlyList<string>? orderBy, SearchSqlWriter sql)
    {
        if (orderBy is null || orderBy.Count == 0)
        {
            return "e.creation_time DESC, e.experiment_id DESC";
        }

        var terms = new List<string>();
        var identities = new List<(string, string)>();
        var hasId = false;
        foreach (var item in orderBy.Select(o => SearchParser.ParseOrderBy(o, Prefixes)))
        {
            if (item.Key.Entity != SearchEntity.Attribute)
            {
                throw FlightdeckException.InvalidParameter(
                    $"Invalid order_by entity type '{item.Key.Entity.ToString().ToLowerInvariant()}' in '{item.Raw}'. Only attributes can be ordered by.");
            }

            var column = item.Key.Key switch
            {
                "name" => sql.Bytewise("e.name"),
                "experiment_id" => "e.experiment_id",
                "creation_time" => "e.creation_time",
                "last_update_time" => "e.last_update_time",
                _ => throw SearchErrors.InvalidAttribute(item.Key.Key, ValidOrderAttributes),
            };
            hasId |= column == "e.experiment_id";
            identities.Add((column, item.Raw));
            terms.Add(column + (item.Ascending ? " ASC" : " DESC"));
        }

        SearchRules.RejectDuplicates(identities);
        if (!hasId)
        {
            terms.Add("e.experiment_id DESC");
        }

        return string.Join(", ", terms);
    }
}
