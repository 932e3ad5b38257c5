using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking.Search;

namespace Flightdeck.Server.Tests.Search;

/// <summary>The grammar and the SQL it compiles to, without a database.</summary>
public sealed class SearchGrammarTests
{
    public static TheoryData<string> AcceptedRunFilters => new(
        "metrics.acc = 1", "metrics.acc != 1", "metrics.acc > 1", "metrics.acc >= -1.5", "metrics.acc < 1e3", "metric.acc <= .5",
        "params.lr = '0.1'", "params.lr != '0.1'", "param.lr LIKE '0.%'", "parameter.lr ILIKE '%'", "parameters.lr = \"x\"",
        "tags.t = 'a'", "tags.t != 'a'", "tag.t LIKE 'a'", "tag.t ilike 'a'",
        "run_id = 'abc'", "run_id IN ('a', 'b')", "run_id not in ('a')", "run_id LIKE 'a%'", "attributes.run_name ILIKE 'x'",
        "attribute.user_id != 'u'", "attr.status = 'FINISHED'", "run.artifact_uri LIKE 's3://%'", "`run name` = 'x'",
        "attributes.`Run Name` = 'x'", "start_time > 0", "end_time <= 10", "created != 5", "attributes.Created = 5",
        "dataset.name = 'd'", "datasets.digest IN ('a', 'b')", "dataset.context NOT IN ('x')", "dataset.name ILIKE 'D%'",
        "metrics.\"a b\" > 1 AND params.`c d` = 'e' and tags.x.y = 'z'");

    [Theory]
    [MemberData(nameof(AcceptedRunFilters))]
    public void Run_filters_compile_on_both_dialects(string filter)
    {
        foreach (var dialect in Enum.GetValues<SqlDialect>())
        {
            var compiled = RunSearch.Compile(filter, null, dialect);

            Assert.NotEqual("1=1", compiled.Where);
            Assert.NotEmpty(compiled.Parameters);
            Assert.All(compiled.Parameters, p => Assert.Matches(@"^@s\d+$", p.Key));
            Assert.Equal(compiled.Parameters.Count, compiled.Parameters.Select(p => p.Key).Distinct().Count());
        }
    }

    [Fact]
    public void No_filter_matches_everything_in_the_default_order()
    {
        foreach (var filter in new[] { null, "", "   " })
        {
            var compiled = RunSearch.Compile(filter, null, SqlDialect.Sqlite);

            Assert.Equal("1=1", compiled.Where);
            Assert.Equal("", compiled.Joins);
            Assert.Equal("r.start_time DESC, r.run_uuid ASC", compiled.OrderBy);
            Assert.Empty(compiled.Parameters);
        }

        Assert.Equal("e.creation_time DESC, e.experiment_id DESC", ExperimentSearch.Compile(null, [], SqlDialect.Postgres).OrderBy);
    }

    [Fact]
    public void Values_are_bound_with_their_types_and_keys_are_parameters_too()
    {
        var compiled = RunSearch.Compile("metrics.acc > 1 AND start_time >= 1700000000000 AND end_time < 2.5 AND params.lr = '0.1'",
            null, SqlDialect.Postgres);
        var values = compiled.Parameters.Select(p => p.Value).ToList();

        Assert.Contains("acc", values);
        Assert.Contains(1.0, values);
        Assert.Contains(1700000000000L, values);
        Assert.Contains(2.5, values);
        Assert.Contains("lr", values);
        Assert.Contains("0.1", values);
        Assert.DoesNotContain("acc", compiled.Where, StringComparison.Ordinal);
        Assert.DoesNotContain("0.1", compiled.Where, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("params.x = 'a''; DROP TABLE runs; --'")]
    [InlineData("params.\"x'; DROP TABLE runs; --\" = 'a'")]
    [InlineData("tags.`x``) OR 1=1; --` LIKE '%'")]
    [InlineData("run_id IN ('a'')); DELETE FROM runs; --')")]
    public void Injection_attempts_inside_quotes_become_parameters(string filter)
    {
        foreach (var dialect in Enum.GetValues<SqlDialect>())
        {
            var compiled = RunSearch.Compile(filter, ["params.\"x; DROP TABLE runs\" DESC"], dialect);

            Assert.DoesNotContain("DROP", compiled.Where + compiled.Joins + compiled.OrderBy, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("DELETE", compiled.Where, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("1=1", compiled.Where, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void LIKE_is_GLOB_on_SQLite_and_ILIKE_is_LIKE_there()
    {
        var sqlite = RunSearch.Compile("params.p LIKE 'a_%*' AND tags.t ILIKE 'B%'", null, SqlDialect.Sqlite);
        var postgres = RunSearch.Compile("params.p LIKE 'a_%*' AND tags.t ILIKE 'B%'", null, SqlDialect.Postgres);

        Assert.Contains("GLOB", sqlite.Where, StringComparison.Ordinal);
        Assert.Contains("a?*[*]", sqlite.Parameters.Select(p => p.Value));
        Assert.Contains(" LIKE ", sqlite.Where, StringComparison.Ordinal);
        Assert.Contains(" LIKE ", postgres.Where, StringComparison.Ordinal);
        Assert.Contains(" ILIKE ", postgres.Where, StringComparison.Ordinal);
        Assert.Contains("a_%*", postgres.Parameters.Select(p => p.Value));
    }

    [Theory]
    [InlineData("abc", "abc", "abc")]
    [InlineData("a%b_c", "a%b_c", "a*b?c")]
    [InlineData(@"a\%b\_c", @"a\%b\_c", "a%b_c")]
    [InlineData("*?[]", "*?[]", "[*][?][[]]")]
    [InlineData(@"end\", @"end\\", @"end\")]
    [InlineData(@"a\\b", @"a\\b", @"a\b")]
    [InlineData(@"\x", "x", "x")]
    public void Like_patterns_translate_for_each_engine(string pattern, string like, string glob)
    {
        Assert.Equal(like, LikePattern.ToLike(pattern));
        Assert.Equal(glob, LikePattern.ToGlob(pattern));
    }

    [Theory]
    [InlineData("metrics.m", "so0")]
    [InlineData("params.p DESC", "so0")]
    [InlineData("tags.`t t` asc", "so0")]
    public void Ordering_by_a_metric_param_or_tag_adds_one_left_join(string orderBy, string alias)
    {
        var compiled = RunSearch.Compile("metrics.m > 0", [orderBy], SqlDialect.Sqlite);

        Assert.StartsWith("LEFT JOIN ", compiled.Joins, StringComparison.Ordinal);
        Assert.Contains(alias, compiled.OrderBy, StringComparison.Ordinal);
        Assert.EndsWith("r.start_time DESC, r.run_uuid ASC", compiled.OrderBy, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_time_and_run_id_in_order_by_replace_the_tie_breakers()
    {
        Assert.Equal("r.start_time ASC, r.run_uuid ASC", RunSearch.Compile(null, ["attributes.start_time"], SqlDialect.Sqlite).OrderBy);
        Assert.Equal("r.run_uuid DESC", RunSearch.Compile(null, ["created DESC", "run_id DESC"], SqlDialect.Sqlite).OrderBy[^15..]);
        Assert.Equal("e.name COLLATE \"C\" ASC, e.experiment_id DESC",
            ExperimentSearch.Compile(null, ["name"], SqlDialect.Postgres).OrderBy);
    }
}
