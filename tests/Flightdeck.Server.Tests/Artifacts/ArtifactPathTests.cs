using Flightdeck.Contracts;
using Flightdeck.Server.Artifacts;

namespace Flightdeck.Server.Tests.Artifacts;

public sealed class ArtifactPathTests
{
    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("1/abc/artifacts/model/MLmodel")]
    [InlineData("name with spaces/é.txt")]
    [InlineData("...")]
    [InlineData("a..b/.hidden")]
    [InlineData("%2e%2e")] // a literal file name once decoded: not a dot segment
    public void Safe_paths_are_returned_unchanged(string path) => Assert.Equal(path, ArtifactPath.Normalize(path));

    [Theory]
    [InlineData("..")]
    [InlineData("../a")]
    [InlineData("a/../b")]
    [InlineData("a/..")]
    [InlineData(".")]
    [InlineData("a/./b")]
    [InlineData("/a")]
    [InlineData("a/")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    [InlineData("a\0b")]
    [InlineData("a\nb")]
    [InlineData("C:/x")]
    [InlineData("c:")]
    public void Unsafe_paths_are_INVALID_PARAMETER_VALUE(string path)
    {
        var error = Assert.Throws<FlightdeckException>(() => ArtifactPath.Normalize(path));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.ErrorCode);
        Assert.Equal("Invalid path", error.Message);
    }

    [Fact]
    public void Overlong_paths_and_names_are_rejected_by_their_UTF8_length()
    {
        var name = new string('a', ArtifactPath.MaxSegmentLength);
        Assert.Equal(name, ArtifactPath.Normalize(name));
        Assert.Throws<FlightdeckException>(() => ArtifactPath.Normalize(name + "a"));
        Assert.Throws<FlightdeckException>(() => ArtifactPath.Normalize(new string('é', 128))); // 256 bytes
        Assert.Throws<FlightdeckException>(() => ArtifactPath.Normalize(string.Join('/', Enumerable.Repeat(new string('a', 200), 6))));
    }

    [Theory]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts/a/b.txt", true)]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts/a%20b/%C3%A9.txt", true)]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts/%2e%2e/x", false)]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts/a%2Fb", false)]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts/a%5Cb", false)]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts/a%00b", false)]
    [InlineData("/api/2.0/mlflow-artifacts/artifacts//x", false)]
    [InlineData("api/2.0/mlflow-artifacts/artifacts/x", false)]
    public void Raw_request_paths_are_checked_segment_by_segment_after_decoding(string rawPath, bool safe) =>
        Assert.Equal(safe, ArtifactPath.IsSafeRawUrlPath(rawPath));
}
