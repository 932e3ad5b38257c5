using Flightdeck.Samples.Readmission;

namespace Flightdeck.Samples.Tests;

public sealed class SampleOptionsTests
{
    [Fact]
    public void Defaults_are_the_readmission_experiment_seed_42_and_5000_rows()
    {
        var options = SampleOptions.Parse([]);

        Assert.Equal("readmission", options.Experiment);
        Assert.Equal(42, options.Seed);
        Assert.Equal(5000, options.Rows);
        Assert.Null(options.TrackingUri);
        Assert.Equal("champion", options.Alias);
    }

    [Fact]
    public void Every_option_is_read()
    {
        var options = SampleOptions.Parse(
            ["--tracking-uri", "http://127.0.0.1:5050", "--experiment", "exp", "--run-name", "r1", "--seed", "-3", "--rows", "800", "--work-dir", "w", "--alias", "challenger"]);

        Assert.Equal(new SampleOptions
        {
            TrackingUri = "http://127.0.0.1:5050", Experiment = "exp", RunName = "r1", Seed = -3, Rows = 800, WorkDir = "w", Alias = "challenger",
        }, options);
    }

    [Theory]
    [InlineData("--rows", "10", "--rows")]
    [InlineData("--rows", "many", "--rows")]
    [InlineData("--seed", "1.5", "--seed")]
    [InlineData("--experiment", " ", "--experiment")]
    [InlineData("--colour", "red", "Unknown option '--colour'")]
    [InlineData("--alias", "v3", "--alias")]
    [InlineData("--alias", "has space", "--alias")]
    public void Bad_values_name_the_option(string name, string value, string expected)
    {
        var error = Assert.Throws<FormatException>(() => SampleOptions.Parse([name, value]));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_value_is_an_error_and_help_wins()
    {
        Assert.Contains("needs a value", Assert.Throws<FormatException>(() => SampleOptions.Parse(["--seed"])).Message, StringComparison.Ordinal);
        Assert.True(SampleOptions.Parse(["--help"]).ShowHelp);
    }
}
