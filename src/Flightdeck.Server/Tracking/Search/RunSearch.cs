using Flightdeck.Contracts;
using Flightdeck.Server.Storage;

namespace Flightdeck.Server.Tracking.Search;

/// <summary>
/// Compiles SearchRuns' filter and order_by into SQL over <c>runs r</c>. Filters on metrics, params, tags and datasets
/// become semi-joins (see <see cref="RunHas"/>); ordering by a metric, param or tag LEFT JOINs one row per run.
/// </summary>
internal static class RunSearch
{
    /// <summary>The context of a dataset input is this input tag, as MLflow stores it.</summary>
    public const string DatasetContextTag = "mlflow.data.context";

    private static readonly Dictionary<string, SearchEntity> Prefixes = new(StringComparer.Ordinal)
    {
        ["metric"] = SearchEntity.Metric,
        ["metrics"] = SearchEntity.Metric,
        ["param"] = SearchEntity.Param,
        ["params"] = SearchEntity.Param,
        ["parameter"] = SearchEntity.Param,
        ["parameters"] = SearchEntity.Param,
        ["tag"] = SearchEntity.Tag,
        ["tags"] = SearchEntity.Tag,
        ["attribute"] = SearchEntity.Attribute,
        ["attributes"] = SearchEntity.Attribute,
        ["attr"] = SearchEntity.Attribute,
        ["run"] = SearchEntity.Attribute,
        ["dataset"] = SearchEntity.Dataset,
        ["datasets"] = SearchEntity.Dataset,
    };

    private static readonly Dictionary<string, string> StringAttributes = new(StringComparer.Ordinal)
    {
        ["run_id"] = "r.run_uuid",
        ["run_name"] = "r.name",
        ["run name"] = "r.name",
        ["Run name"] = "r.name",
        ["Run Name"] = "r.name",
        ["user_id"] = "r.user_id",
        ["status"] = "r.status",
        ["artifact_uri"] = "r.artifact_uri",
    };

    private static readonly Dictionary<string, string> NumericAttributes = new(StringComparer.Ordinal)
    {
        ["start_time"] = "r.start_time",
        ["created"] = "r.start_time",
        ["Created"] = "r.start_time",
        ["end_time"] = "r.end_time",
    };

    private static readonly string[] ValidFilterAttributes =
        ["run_id", "run_name", "user_id", "status", "start_time", "end_time", "artifact_uri"];

    private static readonly string[] ValidOrderAttributes = [.. ValidFilterAttributes, "experiment_id"];

    private static readonly string[] DatasetKeys = ["name", "digest", "context"];

    public static CompiledSearch Compile(string? filter, IReadOnlyList<string>? orderBy, SqlDialect dialect)
    {
        var sql = new SearchSqlWriter(dialect);
        var conditions = SearchParser.ParseFilter(filter, Prefixes).Select(c => CompileClause(c, sql)).ToList();
        var order = CompileOrder(orderBy ?? [], sql);
        var walk = order.LeadingMetric is { } leading
            ? leading with { Where = WalkWhere(conditions, leading.Alias, dialect) }
            : null;
        return new CompiledSearch(order.Joins, Where(conditions.Select(c => c.Text)), order.OrderBy, sql.Parameters) { Walk = walk };
    }

    private static string Where(IEnumerable<string> clauses)
    {
        var where = string.Join(" AND ", clauses);
        return where.Length == 0 ? "1=1" : where;
    }

    /// <summary>
    /// The filter of a <see cref="MetricWalk"/>: the conditions on a run's rows are checked against the walked metric
    /// row's run_uuid, so they run before the runs row is fetched; equalities first, as they usually reject the most.
    /// PostgreSQL would turn the EXISTS into hash semi-joins over every matching row and lose the early stop; OFFSET 0
    /// keeps each one a probe.
    /// </summary>
    private static string WalkWhere(List<RunCondition> conditions, string alias, SqlDialect dialect)
    {
        var offset = dialect == SqlDialect.Postgres ? " OFFSET 0" : "";
        return Where(conditions
            .OrderBy(c => c.From is null ? 2 : c.Equality ? 0 : 1)
            .Select(c => c.From is null
                ? c.Text
                : $"EXISTS (SELECT 1 FROM {c.From} WHERE sf.run_uuid = {alias}.run_uuid AND {c.Condition}{offset})"));
    }

    private static RunCondition CompileClause(SearchComparison clause, SearchSqlWriter sql) => clause.Left.Entity switch
    {
        SearchEntity.Metric => Metric(clause, sql),
        SearchEntity.Param => KeyValue(clause, "params", "param", sql),
        SearchEntity.Tag => KeyValue(clause, "tags", "tag", sql),
        SearchEntity.Dataset => Dataset(clause, sql),
        _ => new RunCondition(Attribute(clause, sql)),
    };

    private static RunCondition Metric(SearchComparison clause, SearchSqlWriter sql)
    {
        SearchRules.RequireComparator(clause, SearchRules.NumericComparators, "metrics");
        var value = SearchRules.RequireNumber(clause, "metric");
        var key = sql.Bind(clause.Left.Key);
        // NaN is stored as 0 with is_nan set; it compares like IEEE NaN: only != holds.
        var test = clause.Comparator == "!="
            ? $"(sf.is_nan = {sql.Bool(true)} OR sf.value <> {sql.Bind(value)})"
            : $"sf.is_nan = {sql.Bool(false)} AND {sql.CompareNumber("sf.value", clause.Comparator, value)}";
        return RunHas("latest_metrics sf", $"sf.key = {key} AND {test}", clause.Comparator);
    }

    private static RunCondition KeyValue(SearchComparison clause, string table, string what, SearchSqlWriter sql)
    {
        SearchRules.RequireComparator(clause, SearchRules.StringComparators, what + "s");
        SearchRules.RequireText(clause, what);
        var key = sql.Bind(clause.Left.Key);
        return RunHas(table + " sf", $"sf.key = {key} AND {sql.CompareText("sf.value", clause.Comparator, clause.Value)}", clause.Comparator);
    }

    private static RunCondition Dataset(SearchComparison clause, SearchSqlWriter sql)
    {
        var key = clause.Left.Key;
        if (!DatasetKeys.Contains(key, StringComparer.Ordinal))
        {
            throw FlightdeckException.InvalidParameter(
                $"Invalid dataset key '{key}' specified. Valid keys are '{SearchErrors.Format(DatasetKeys)}'");
        }

        SearchRules.RequireComparator(clause, SearchRules.ListComparators, "dataset attributes");
        SearchRules.RequireText(clause, "dataset." + key);
        if (key == "context")
        {
            var tagKey = sql.Bind(DatasetContextTag);
            return RunHas("input_tags sf", $"sf.key = {tagKey} AND {sql.CompareText("sf.value", clause.Comparator, clause.Value)}",
                clause.Comparator);
        }

        return RunHas("run_inputs sf JOIN datasets sd ON sd.dataset_uuid = sf.dataset_uuid",
            sql.CompareText("sd." + key, clause.Comparator, clause.Value), clause.Comparator);
    }

    /// <summary>
    /// "The run has a row in <paramref name="from"/> (aliased sf) matching <paramref name="condition"/>". An equality is
    /// usually selective, so it is written as IN, which SQLite drives from the (key, value) index; ranges, LIKE and !=
    /// usually match many runs, so they are EXISTS, which SQLite probes run by run while it walks runs_by_experiment in
    /// the requested order and stops at the LIMIT. SQLite has no range statistics to choose for itself; PostgreSQL
    /// plans both forms as the same semi-join.
    /// </summary>
    private static RunCondition RunHas(string from, string condition, string comparator)
    {
        var equality = comparator is "=" or "IN";
        var text = equality
            ? $"r.run_uuid IN (SELECT sf.run_uuid FROM {from} WHERE {condition})"
            : $"EXISTS (SELECT 1 FROM {from} WHERE sf.run_uuid = r.run_uuid AND {condition})";
        return new RunCondition(text, from, condition, equality);
    }

    /// <summary>One filter clause: <see cref="Text"/> over <c>runs r</c>; for conditions on a run's rows, also their parts.</summary>
    private sealed record RunCondition(string Text, string? From = null, string? Condition = null, bool Equality = false);

    private static string Attribute(SearchComparison clause, SearchSqlWriter sql)
    {
        var key = clause.Left.Key;
        if (NumericAttributes.TryGetValue(key, out var timeColumn))
        {
            SearchRules.RequireComparator(clause, SearchRules.NumericComparators, "numeric attributes");
            return sql.CompareNumber(timeColumn, clause.Comparator, SearchRules.RequireTime(clause, key));
        }

        if (!StringAttributes.TryGetValue(key, out var column))
        {
            throw SearchErrors.InvalidAttribute(key, ValidFilterAttributes);
        }

        SearchRules.RequireComparator(clause, SearchRules.ListComparators, "string attributes");
        if (clause.Comparator is "IN" or "NOT IN" && key != "run_id")
        {
            throw FlightdeckException.InvalidParameter(
                "Only the 'run_id' attribute supports comparison with a list of quoted string values.");
        }

        SearchRules.RequireText(clause, "attributes");
        return sql.CompareText(column, clause.Comparator, clause.Value);
    }

    private static CompiledOrder CompileOrder(IReadOnlyList<string> orderBy, SearchSqlWriter sql)
    {
        var items = orderBy.Select(o => SearchParser.ParseOrderBy(o, Prefixes)).ToList();
        var joins = new List<string>();
        var terms = new List<string>();
        MetricWalk? leading = null;
        var identities = new List<(string, string)>();
        var hasStartTime = false;
        var hasRunId = false;
        foreach (var item in items)
        {
            var direction = item.Ascending ? "ASC" : "DESC";
            var key = item.Key.Key;
            switch (item.Key.Entity)
            {
                case SearchEntity.Attribute:
                    var column = OrderColumn(key, sql);
                    hasStartTime |= column == "r.start_time";
                    hasRunId |= column == "r.run_uuid";
                    identities.Add(("attribute:" + column, item.Raw));
                    terms.Add(column == "r.end_time" ? $"{column} {direction} NULLS LAST" : $"{column} {direction}");
                    break;
                case SearchEntity.Metric:
                    var metric = sql.Alias("so");
                    var keyParameter = sql.Bind(key);
                    if (terms.Count == 0)
                    {
                        leading = new MetricWalk(metric, keyParameter, direction);
                    }

                    joins.Add($"LEFT JOIN latest_metrics {metric} ON {metric}.run_uuid = r.run_uuid AND {metric}.key = {keyParameter}");
                    identities.Add(("metric:" + key, item.Raw));
                    // -inf, numbers, +inf, then NaN, then runs without the metric, whatever the direction.
                    terms.Add($"CASE WHEN {metric}.run_uuid IS NULL THEN 2 WHEN {metric}.is_nan = {sql.Bool(true)} THEN 1 ELSE 0 END");
                    terms.Add($"{metric}.value {direction}");
                    break;
                case SearchEntity.Param or SearchEntity.Tag:
                    var table = item.Key.Entity == SearchEntity.Param ? "params" : "tags";
                    var alias = sql.Alias("so");
                    joins.Add($"LEFT JOIN {table} {alias} ON {alias}.run_uuid = r.run_uuid AND {alias}.key = {sql.Bind(key)}");
                    identities.Add((table + ":" + key, item.Raw));
                    terms.Add($"{sql.Bytewise(alias + ".value")} {direction} NULLS LAST");
                    break;
                default:
                    throw FlightdeckException.InvalidParameter(
                        $"Invalid order_by clause '{item.Raw}'. Ordering by datasets is not supported.");
            }
        }

        SearchRules.RejectDuplicates(identities);
        if (!hasStartTime)
        {
            terms.Add("r.start_time DESC");
        }

        if (!hasRunId)
        {
            terms.Add("r.run_uuid ASC");
        }

        if (leading is not null)
        {
            // The walk reads the leading metric in index order: its join and its two sort terms (group, value) go.
            leading = leading with
            {
                Joins = string.Join(" ", joins.Skip(1)),
                OrderBy = string.Join(", ", [$"{leading.Alias}.value {leading.Direction}", .. terms.Skip(2)]),
            };
        }

        return new CompiledOrder(string.Join(" ", joins), string.Join(", ", terms), leading);
    }

    private sealed record CompiledOrder(string Joins, string OrderBy, MetricWalk? LeadingMetric);

    private static string OrderColumn(string key, SearchSqlWriter sql)
    {
        if (NumericAttributes.TryGetValue(key, out var time))
        {
            return time;
        }

        if (key == "experiment_id")
        {
            return "r.experiment_id";
        }

        if (!StringAttributes.TryGetValue(key, out var column))
        {
            throw SearchErrors.InvalidAttribute(key, ValidOrderAttributes);
        }

        // run_uuid is lower-case hex, so its order is the same in every collation and the index can serve it.
        return column == "r.run_uuid" ? column : sql.Bytewise(column);
    }
}
