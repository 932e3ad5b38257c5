using Flightdeck.Contracts;

namespace Flightdeck.Client.Tests;

public sealed class ModelUriTests
{
    [Fact]
    public void Run_uris_give_the_run_and_the_artifact_path()
    {
        var uri = ModelUri.Parse("runs:/abc123/models/classifier/");

        Assert.Equal(ModelUriKind.Run, uri.Kind);
        Assert.Equal("abc123", uri.RunId);
        Assert.Equal("models/classifier", uri.ArtifactPath);
        Assert.Equal("", ModelUri.Parse("runs:/abc123").ArtifactPath);
    }

    [Fact]
    public void Registry_uris_name_a_version_an_alias_a_stage_or_the_latest()
    {
        var version = ModelUri.Parse("models:/readmission/3");
        var alias = ModelUri.Parse("models:/readmission@champion");
        var stage = ModelUri.Parse("models:/readmission/production");
        var latest = ModelUri.Parse("models:/readmission/Latest");

        Assert.Equal((ModelUriKind.Version, "readmission", "3"), (version.Kind, version.Name, version.Version));
        Assert.Equal((ModelUriKind.Alias, "readmission", "champion"), (alias.Kind, alias.Name, alias.Alias));
        Assert.Equal((ModelUriKind.Stage, ModelStage.Production), (stage.Kind, stage.Stage));
        Assert.Equal((ModelUriKind.Latest, "readmission"), (latest.Kind, latest.Name));
        Assert.Equal("models:/readmission@champion", alias.ToString());
    }

    [Theory]
    [InlineData("", "not a model URI")]
    [InlineData("s3://bucket/model", "not a model URI")]
    [InlineData("models:/", "expected models:/<name>/<version>")]
    [InlineData("models://host/m/1", "no registry host")]
    [InlineData("models:/m", "expected models:/<name>/<version>")]
    [InlineData("models:/m@", "expected models:/<name>/<version>")]
    [InlineData("models:/@champion", "expected models:/<name>/<version>")]
    [InlineData("models:/m/1/extra", "expected models:/<name>/<version>")]
    [InlineData("models:/m/0", "not a positive version number")]
    [InlineData("models:/m/99999999999", "not a positive version number")]
    [InlineData("models:/m/champion", "for an alias write models:/m@champion")]
    [InlineData("runs:/", "the run id is missing")]
    [InlineData("runs://abc/model", "no host")]
    [InlineData("runs:/abc/../secrets", "'.' or '..'")]
    public void Malformed_uris_are_refused_with_what_is_expected(string text, string expected)
    {
        var error = Assert.Throws<FlightdeckException>(() => ModelUri.Parse(text));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.ErrorCode);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(ModelUri.TryParse(text, out _, out var reason));
        Assert.Equal(error.Message, reason);
    }
}
