using Flightdeck.Contracts;
using Flightdeck.Server.Storage;

namespace Flightdeck.Server.Tracking.Search;

/// <summary>
/// A page of runs ordered first by a metric, read by walking latest_metrics' (key, is_nan, value, run_uuid) index in
/// order and checking each run against the filter until the page is full, rather than joining and sorting every match.
/// The walk covers a window of the index: the values strictly before the one at <see cref="WindowFactor"/> × the rows
/// wanted (a prefix of the order, so ties cannot straddle it), or, when the metric has no more rows than that, every
/// value short of an infinity at the far end (also a prefix). It gives up (null) when the window holds too few
/// matches, or the page reaches the NaN and missing values; the caller then runs the sorting query. Both produce the
/// same order, so offset page tokens hold across them.
/// </summary>
internal static class MetricWalkPage
{
    /// <summary>A filter matching 1 run in 50 still fills its page inside the window.</summary>
    private const long WindowFactor = 50;

    private const long MaxWindow = 200_000;

    public static async Task<List<Run>?> TryReadAsync(CompiledSearch compiled, MetricWalk walk, string scope, long limit, long offset,
        RunStore runs, Database database, CancellationToken ct)
    {
        var parameters = SearchApi.ToParameters(compiled);
        parameters.Add("@walkWindow", Math.Min(WindowFactor * (offset + limit), MaxWindow));
        parameters.Add("@walkOpen", walk.Descending ? double.NegativeInfinity : double.PositiveInfinity);
        parameters.Add("@limit", limit);
        parameters.Add("@offset", offset);
        var falseSql = database.Bool(false);
        var before = walk.Descending ? ">" : "<";
        // The window's bound is a subquery of the same statement (one round trip); the database evaluates it once.
        // SQLite's planner, given statistics, prefers to sort; CROSS JOIN makes it walk (PostgreSQL weighs the LIMIT).
        var join = database.IsSqlite ? "CROSS JOIN" : "JOIN";
        var sql = $"""
            SELECT {RunStore.SelectColumns} FROM latest_metrics {walk.Alias} {join} runs r ON r.run_uuid = {walk.Alias}.run_uuid {walk.Joins}
            WHERE {walk.Alias}.key = {walk.KeyParameter} AND {walk.Alias}.is_nan = {falseSql}
              AND {walk.Alias}.value {before} COALESCE((
                SELECT w.value FROM latest_metrics w WHERE w.key = {walk.KeyParameter} AND w.is_nan = {falseSql}
                ORDER BY w.value {walk.Direction} LIMIT 1 OFFSET @walkWindow), @walkOpen)
              AND {scope} AND ({walk.Where})
            ORDER BY {walk.OrderBy} LIMIT @limit OFFSET @offset
            """;
        var page = await runs.QueryAsync(sql, parameters, ct);
        return page.Count == limit ? page : null;
    }
}
