using Flightdeck.Server.Storage;

namespace Flightdeck.Server.Tracking.Search;

/// <summary>
/// Collects the bound values of one compiled search and writes the dialect-specific bits of SQL. Only column names
/// from the compilers' fixed tables and generated aliases reach the SQL text; every value and key is a parameter.
/// </summary>
internal sealed class SearchSqlWriter(SqlDialect dialect)
{
    private readonly List<KeyValuePair<string, object?>> _parameters = [];
    private int _aliases;

    public SqlDialect Dialect { get; } = dialect;

    public IReadOnlyList<KeyValuePair<string, object?>> Parameters => _parameters;

    /// <summary>Binds a value and returns its parameter name.</summary>
    public string Bind(object? value)
    {
        var name = "@s" + _parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _parameters.Add(new(name, value));
        return name;
    }

    /// <summary>A fresh table alias: <paramref name="prefix"/> followed by a counter.</summary>
    public string Alias(string prefix) => prefix + _aliases++.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string Bool(bool value) => Dialect == SqlDialect.Sqlite ? (value ? "1" : "0") : (value ? "TRUE" : "FALSE");

    /// <summary>The expression sorted byte-wise: PostgreSQL's default collation is linguistic, SQLite's is binary.</summary>
    public string Bytewise(string expression) => Dialect == SqlDialect.Postgres ? expression + " COLLATE \"C\"" : expression;

    /// <summary>
    /// <paramref name="column"/> compared with a string value or list, for = != LIKE ILIKE IN NOT IN.
    /// </summary>
    public string CompareText(string column, string comparator, SearchValue value) => comparator switch
    {
        "=" => $"{column} = {Bind(value.Text)}",
        "!=" => $"{column} <> {Bind(value.Text)}",
        "LIKE" => Dialect == SqlDialect.Sqlite
            ? $"{column} GLOB {Bind(LikePattern.ToGlob(value.Text!))}"
            : $"{column} LIKE {Bind(LikePattern.ToLike(value.Text!))}",
        "ILIKE" => Dialect == SqlDialect.Sqlite
            ? $"{column} LIKE {Bind(LikePattern.ToLike(value.Text!))} ESCAPE '\\'"
            : $"{column} ILIKE {Bind(LikePattern.ToLike(value.Text!))}",
        "IN" => $"{column} IN ({BindList(value.List!)})",
        "NOT IN" => $"{column} NOT IN ({BindList(value.List!)})",
        _ => throw new InvalidOperationException($"Unchecked comparator '{comparator}'."),
    };

    /// <summary>
    /// <see cref="CompareText"/> on the value column of a (key, value)-indexed table, with what PostgreSQL needs to use its
    /// partial index for = and IN (<see cref="IndexedText"/>).
    /// </summary>
    public string CompareIndexedText(string column, string comparator, SearchValue value) => CompareText(column, comparator, value) + comparator switch
    {
        "=" => IndexedText.LookupCondition(Dialect, column, [value.Text]),
        "IN" => IndexedText.LookupCondition(Dialect, column, value.List!),
        _ => "",
    };

    /// <summary><paramref name="column"/> compared with a bound number, for = != &gt; &gt;= &lt; &lt;=.</summary>
    public string CompareNumber(string column, string comparator, object number) =>
        $"{column} {SqlOperator(comparator)} {Bind(number)}";

    public static string SqlOperator(string comparator) => comparator switch
    {
        "=" or ">" or ">=" or "<" or "<=" => comparator,
        "!=" => "<>",
        _ => throw new InvalidOperationException($"Unchecked comparator '{comparator}'."),
    };

    private string BindList(IReadOnlyList<string> values) => string.Join(", ", values.Select(v => Bind(v)));
}
