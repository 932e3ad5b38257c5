using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking.Search;

namespace Flightdeck.Server.Tests.Search;

/// <summary>Every bad filter or order_by is an INVALID_PARAMETER_VALUE with MLflow's wording, never another exception.</summary>
public sealed class SearchErrorTests
{
    [Theory]
    [InlineData("params.x = 'a'; DROP TABLE runs; --'", "Error on parsing filter")]
    [InlineData("params.x = 'a' -- comment", "unexpected character '-'")]
    [InlineData("params.x = 'a' /* c */", "unexpected character '/'")]
    [InlineData("params.x = 'a", "unterminated quoted string")]
    [InlineData("params.\"x = 'a'", "unterminated quoted string")]
    [InlineData("tags.`x = 'a'", "unterminated quoted string")]
    [InlineData("metrics.x > 1 OR metrics.y < 2", "Only AND is supported")]
    [InlineData("metrics.x > 1 or 1 = 1", "Only AND is supported")]
    [InlineData("(metrics.x > 1)", "Invalid clause(s) in filter string: '('")]
    [InlineData("metrics.x > 1 AND (metrics.y < 2)", "Invalid clause(s) in filter string")]
    [InlineData("metrics.x > 1 metrics.y > 2", "Invalid clause(s) in filter string")]
    [InlineData("status = 'a' AND AND status = 'b'", "Invalid clause(s) in filter string: 'AND'")]
    [InlineData("metrics.x > 1 AND", "ends with AND")]
    [InlineData("metrics.x", "expected a comparator")]
    [InlineData("metrics.x >", "expected a value")]
    [InlineData("foo.x = 'a'", "Invalid entity type 'foo'")]
    [InlineData("metrics.x > 'abc'", "Expected numeric value type for metric")]
    [InlineData("metrics.x > abc", "Invalid clause(s) in filter string: 'abc'")]
    [InlineData("metrics.x > 1.2.3", "malformed number")]
    [InlineData("metrics.x > 1abc", "malformed number")]
    [InlineData("metrics.x > 1e", "malformed number")]
    [InlineData("metrics.x LIKE '1'", "Invalid comparator 'LIKE'")]
    [InlineData("metrics.x <> 1", "Invalid comparator '<>'")]
    [InlineData("metrics.x == 1", "Invalid comparator '=='")]
    [InlineData("metrics.x IN ('1')", "Invalid comparator 'IN'")]
    [InlineData("params.x > 'a'", "Invalid comparator '>'")]
    [InlineData("params.x IN ('a')", "Invalid comparator 'IN'")]
    [InlineData("params.x NOT LIKE 'a'", "Invalid clause(s) in filter string: 'NOT'")]
    [InlineData("params.x = 1", "Expected a quoted string value for param")]
    [InlineData("tags.x = x", "Invalid clause(s) in filter string: 'x'")]
    [InlineData("experiment_id = '1'", "Invalid attribute key 'experiment_id' specified. Valid keys are")]
    [InlineData("attributes.lifecycle_stage = 'active'", "Invalid attribute key 'lifecycle_stage' specified")]
    [InlineData("nonsense = 'x'", "Invalid attribute key 'nonsense'")]
    [InlineData("start_time > '2020'", "Expected numeric value type for numeric attribute: start_time")]
    [InlineData("start_time LIKE '1%'", "Invalid comparator 'LIKE'")]
    [InlineData("status > 'a'", "Invalid comparator '>'")]
    [InlineData("run_id IN ()", "expected a quoted string value but got ')'")]
    [InlineData("run_id IN ('a',)", "expected a quoted string value but got ')'")]
    [InlineData("run_id IN ('a' 'b')", "expected ',' or ')'")]
    [InlineData("run_id IN ('a'", "unclosed parenthesis")]
    [InlineData("run_id IN (1, 2)", "expected a quoted string value")]
    [InlineData("run_id IN 'a'", "Expected a parenthesised list")]
    [InlineData("run_id = ('a')", "Expected a quoted string value for attributes")]
    [InlineData("run_name IN ('a')", "Only the 'run_id' attribute supports comparison with a list")]
    [InlineData("dataset.foo = 'a'", "Invalid dataset key 'foo'")]
    [InlineData("dataset.name > 'a'", "Invalid comparator '>'")]
    [InlineData("metrics. > 1", "empty key")]
    [InlineData("\"\" = 'a'", "empty key")]
    [InlineData("AND = 'a'", "Invalid clause(s) in filter string: 'AND'")]
    [InlineData("= 'a'", "Invalid clause(s) in filter string: '='")]
    [InlineData("'a' = 'a'", "Invalid clause(s) in filter string: ''a''")]
    [InlineData("metrics.x..y\"z\" > 1", "Invalid clause(s)")]
    [InlineData("params.x = 'a\0b'", "invalid character in quoted string")]
    public void Bad_run_filters_are_rejected(string filter, string message)
    {
        foreach (var dialect in Enum.GetValues<SqlDialect>())
        {
            var error = Assert.Throws<FlightdeckException>(() => RunSearch.Compile(filter, null, dialect));

            Assert.Equal(ErrorCode.InvalidParameterValue, error.ErrorCode);
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Lone_surrogates_are_rejected_before_they_reach_the_database()
    {
        // Built in code: test-case serialisation would replace lone surrogates with U+FFFD.
        foreach (var filter in new[] { "params.x = 'a" + '\ud800' + "b'", "params.`" + '\udc00' + "` = 'a'" })
        {
            var error = Assert.Throws<FlightdeckException>(() => RunSearch.Compile(filter, null, SqlDialect.Postgres));

            Assert.Contains("invalid character in quoted string", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("", "Could not be parsed")]
    [InlineData("   ", "Could not be parsed")]
    [InlineData("metrics.x ASC DESC", "Could not be parsed")]
    [InlineData("metrics.x up", "Could not be parsed")]
    [InlineData("metrics.x; DROP TABLE runs", "Could not be parsed")]
    [InlineData("ASC", "Could not be parsed")]
    [InlineData("'start_time'", "Could not be parsed")]
    [InlineData("lifecycle_stage", "Invalid attribute key 'lifecycle_stage'")]
    [InlineData("bogus DESC", "Invalid attribute key 'bogus'")]
    [InlineData("dataset.name", "Ordering by datasets is not supported")]
    [InlineData("nope.x", "Invalid entity type 'nope'")]
    public void Bad_run_order_by_items_are_rejected(string orderBy, string message)
    {
        var error = Assert.Throws<FlightdeckException>(() => RunSearch.Compile(null, [orderBy], SqlDialect.Sqlite));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.ErrorCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("metrics.x", "metrics.x DESC")]
    [InlineData("start_time", "created DESC")]
    [InlineData("params.p", "param.p")]
    public void Duplicate_order_by_fields_are_rejected(string first, string second)
    {
        var error = Assert.Throws<FlightdeckException>(() => RunSearch.Compile(null, [first, second], SqlDialect.Postgres));

        Assert.Contains("`order_by` contains duplicate fields", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("metrics.x > 1", "Invalid entity type 'metrics'")]
    [InlineData("params.x = 'a'", "Invalid entity type 'params'")]
    [InlineData("foo = 'a'", "Invalid attribute key 'foo' specified. Valid keys are")]
    [InlineData("experiment_id = '1'", "Invalid attribute key 'experiment_id'")]
    [InlineData("lifecycle_stage = 'active'", "Invalid attribute key 'lifecycle_stage'")]
    [InlineData("name > 'a'", "Invalid comparator '>'")]
    [InlineData("name IN ('a')", "Invalid comparator 'IN'")]
    [InlineData("name = 1", "Expected a quoted string value")]
    [InlineData("tags.x > 'a'", "Invalid comparator '>'")]
    [InlineData("creation_time LIKE 'a'", "Invalid comparator 'LIKE'")]
    [InlineData("creation_time > 'a'", "Expected numeric value type")]
    [InlineData("name = 'a' OR name = 'b'", "Only AND is supported")]
    [InlineData("name = 'a';", "unexpected character ';'")]
    public void Bad_experiment_filters_are_rejected(string filter, string message)
    {
        var error = Assert.Throws<FlightdeckException>(() => ExperimentSearch.Compile(filter, null, SqlDialect.Sqlite));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.ErrorCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tags.x", "Only attributes can be ordered by")]
    [InlineData("run_name", "Invalid attribute key 'run_name'")]
    [InlineData("name sideways", "Could not be parsed")]
    [InlineData("name; DROP TABLE experiments", "Could not be parsed")]
    public void Bad_experiment_order_by_items_are_rejected(string orderBy, string message)
    {
        var error = Assert.Throws<FlightdeckException>(() => ExperimentSearch.Compile(null, [orderBy], SqlDialect.Postgres));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_garbage_only_ever_gives_invalid_parameter_errors()
    {
        string[] pieces =
        [
            "metrics.", "params.", "tags.", "dataset.", "attributes.", "x", "acc", "run_id", "start_time", "name", "\"", "'", "`",
            "=", "!=", ">", "<=", "LIKE", "ILIKE", "IN", "NOT", "AND", "OR", "(", ")", ",", ";", "--", "1", "-2.5e3", ".", " ",
            "'v'", "\"k k\"", "\\", "%", "_", "\0", "é", "DESC", "ASC",
        ];
        var random = new Random(1234);
        for (var i = 0; i < 20000; i++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 9)).Select(_ => pieces[random.Next(pieces.Length)]));
            foreach (var compile in new Func<CompiledSearch>[]
            {
                () => RunSearch.Compile(text, null, SqlDialect.Sqlite),
                () => RunSearch.Compile(null, [text], SqlDialect.Postgres),
                () => ExperimentSearch.Compile(text, [text], SqlDialect.Postgres),
            })
            {
                try
                {
                    compile();
                }
                catch (FlightdeckException e)
                {
                    Assert.Equal(ErrorCode.InvalidParameterValue, e.ErrorCode);
                }
            }
        }
    }
}
