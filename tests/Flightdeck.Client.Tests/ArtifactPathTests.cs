using Flightdeck.Contracts;

namespace Flightdeck.Client.Tests;

public sealed class ArtifactPathTests
{
    [Theory]
    [InlineData("mlflow-artifacts:/1/abc/artifacts", "1/abc/artifacts")]
    [InlineData("mlflow-artifacts:///1/abc/artifacts/", "1/abc/artifacts")]
    [InlineData("mlflow-artifacts://host:5000/1/abc/artifacts", "1/abc/artifacts")]
    public void Proxied_artifact_uris_resolve_to_their_proxy_path(string uri, string expected) =>
        Assert.Equal(expected, ArtifactPath.ToProxyPath(uri));

    [Fact]
    public void Artifact_uris_outside_the_proxy_are_refused_with_a_clear_message()
    {
        var error = Assert.Throws<FlightdeckException>(() => ArtifactPath.ToProxyPath("s3://bucket/1/abc/artifacts"));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.ErrorCode);
        Assert.Contains("s3://bucket/1/abc/artifacts", error.Message);
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("model/../../x")]
    [InlineData("./model")]
    public void Dot_segments_are_refused(string path) =>
        Assert.Throws<FlightdeckException>(() => ArtifactPath.Normalize(path));

    [Fact]
    public void Paths_are_normalized_to_forward_slashes_without_empty_segments() =>
        Assert.Equal("model/data/weights.bin", ArtifactPath.Normalize("/model\\data//weights.bin/"));

    [Fact]
    public void Routes_percent_encode_each_segment()
    {
        Assert.Equal("api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/a%20b/c%23d%3F.txt", ArtifactPath.ToRoute("1/r/artifacts/a b/c#d?.txt"));
        Assert.Equal("1/r/artifacts/dir/file.txt", ArtifactPath.Combine("1/r/artifacts/", "", null, "/dir/", "file.txt"));
    }
}
