using System.Text;

namespace Flightdeck.Server.Storage;

/// <summary>
/// PostgreSQL refuses a btree entry larger than a third of a page (about 2.7 kB), yet param and tag values may be up to
/// 6,000 and 5,000 characters. So on PostgreSQL the (key, value) indexes of params and tags are partial: they cover values
/// of at most <see cref="MaxBytes"/> bytes (migration token <c>{{indexed_text}}</c>), and a lookup of short values repeats
/// that condition so the planner can prove the index applies. Longer values are still stored and found, without the index.
/// </summary>
internal static class IndexedText
{
    public const int MaxBytes = 2000;

    /// <summary>The partial-index predicate, as the migrations write it after <c>CREATE INDEX … (…)</c>.</summary>
    public static string IndexPredicate(SqlDialect dialect) =>
        dialect == SqlDialect.Postgres ? $" WHERE octet_length(value) <= {MaxBytes}" : "";

    /// <summary>
    /// The condition to add to an equality or IN lookup of <paramref name="values"/> in <paramref name="column"/>: empty on
    /// SQLite (its indexes are whole) and when a value is too long to be in the partial index.
    /// </summary>
    public static string LookupCondition(SqlDialect dialect, string column, IEnumerable<string?> values) =>
        dialect == SqlDialect.Postgres && values.All(v => v is not null && Encoding.UTF8.GetByteCount(v) <= MaxBytes)
            ? $" AND octet_length({column}) <= {MaxBytes}"
            : "";
}
