using System.Text;

namespace Flightdeck.Server.Tests.Robustness;

/// <summary>Seeded garbage for the search grammar: filters, order_by clauses and page tokens.</summary>
internal static class SearchGarbage
{
    public static readonly string[] Tokens =
    [
        "metrics.", "params.", "tags.", "attributes.", "attribute.", "datasets.", "run.", "metric.m", "params.p", "tags.t",
        "`mlflow.user`", "\"quoted key\"", "attributes.start_time", "attributes.status", "run_name", "run_id", "name",
        "experiment_id", "creation_time", "datasets.name", "datasets.context",
        "=", "!=", "<", "<=", ">", ">=", "==", "<>", "LIKE", "ILIKE", "NOT", "IN", "IS", "NULL", "AND", "OR", "and", "AND AND",
        "(", ")", "()", "('a', 'b')", "(1, 2", ",", ".", "'", "\"", "`", "'x'", "\"x\"", "'%'", "'_'", "'\\'", "'%\\_%'",
        "0", "-1", "1.5", "1e400", "NaN", "-Infinity", "9223372036854775808", "0x1F",
        "; DROP TABLE runs; --", "' OR 1=1 --", "/*", "*/", "--", "UNION SELECT", "||", "\u0000", "🚀", "ключ", "DESC", "ASC",
    ];

    public static readonly string[] KnownHostileFilters =
    [
        "", " ", "metrics.m > 0 AND", "AND metrics.m > 0", "metrics.m > 'abc'", "metrics. > 1", "params.p = 1", "tags.t IN ('a'",
        "attributes.run_id IN ()", "attributes.run_id IN ('a', 'b')", "attributes.status IN ('RUNNING', 'FINISHED')",
        "params.p = 'x' OR params.p = 'y'", "metrics.m > 0 OR 1=1", "name = 'x'; DROP TABLE experiments; --",
        "tags.`a'b` = 'x'", "tags.\"a\\\"b\" = 'y'", "params.p LIKE '%' ESCAPE '\\'", "metrics.m >= 1e400",
        "metrics.m = NaN", "attributes.start_time > 99999999999999999999", "attributes.start_time > -9223372036854775808",
        "run_name ILIKE '%\u0000%'", "tags.t = '" + new string('x', 10000) + "'", string.Concat(Enumerable.Repeat("(", 5000)),
        string.Join(" AND ", Enumerable.Range(0, 300).Select(i => $"params.p{i} = 'v{i}'")),
        "datasets.name = 'd' AND datasets.digest = 'x'", "datasets.context IN ('train', 'eval')",
        "attributes.experiment_id = '0'", "attributes.lifecycle_stage = 'deleted'",
    ];

    public static readonly string[] KnownHostileOrderBys =
    [
        "", "   ", "metrics.m", "metrics.m DESC; DROP TABLE runs", "params.p ASC, tags.t DESC", "start_time DESC DESC",
        "attributes.start_time ASC NULLS FIRST", "metrics.`m DESC`", "tags.\"t\"", "(SELECT 1)", "1", "name, name",
        "experiment_id", "metrics.", "unknown_attribute", "last_update_time DESC", "creation_time",
    ];

    public static string Filter(Random random) =>
        random.Next(4) == 0
            ? GarbageCatalog.Pick(random, KnownHostileFilters)
            : string.Join(" ", Enumerable.Range(0, random.Next(1, 12)).Select(_ => GarbageCatalog.Pick(random, Tokens)));

    public static string OrderBy(Random random) =>
        random.Next(3) == 0
            ? GarbageCatalog.Pick(random, KnownHostileOrderBys)
            : string.Join(" ", Enumerable.Range(0, random.Next(1, 5)).Select(_ => GarbageCatalog.Pick(random, Tokens)));

    /// <summary>Page tokens: MLflow's base64 of {"offset": N} with hostile offsets, plus things that are not base64.</summary>
    public static IReadOnlyList<string> PageTokens { get; } =
    [
        "not-base64!", "====", "e30=", // {}
        Base64("{\"offset\": -1}"), Base64("{\"offset\": 9223372036854775807}"), Base64("{\"offset\": 1e30}"),
        Base64("{\"offset\": \"10\"}"), Base64("{\"offset\": null}"), Base64("[1, 2]"), Base64("{\"offset\": 1; DROP TABLE runs}"),
        Base64("{\"offset\": 1, \"offset\": -5}"), Base64(new string('[', 10000)), Base64("\u0000\u0001"), new string('A', 100_000),
    ];

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
