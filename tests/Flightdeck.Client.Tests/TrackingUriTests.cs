namespace Flightdeck.Client.Tests;

public sealed class TrackingUriTests
{
    [Fact]
    public void An_explicit_uri_wins_and_gets_a_trailing_slash() =>
        Assert.Equal(new Uri("http://example.test:5000/prefix/"), FlightdeckClient.ResolveTrackingUri("http://example.test:5000/prefix"));

    [Theory]
    [InlineData("file:///tmp/mlruns")]
    [InlineData("databricks")]
    [InlineData("sqlite:///x.db")]
    public void Non_http_tracking_uris_are_refused(string uri)
    {
        var error = Assert.Throws<ArgumentException>(() => FlightdeckClient.ResolveTrackingUri(uri));
        Assert.Contains(uri, error.Message);
    }

    [Fact]
    public void The_environment_is_read_flightdeck_first_then_mlflow_then_the_default()
    {
        var saved = (Environment.GetEnvironmentVariable("FLIGHTDECK_TRACKING_URI"), Environment.GetEnvironmentVariable("MLFLOW_TRACKING_URI"));
        try
        {
            Environment.SetEnvironmentVariable("FLIGHTDECK_TRACKING_URI", null);
            Environment.SetEnvironmentVariable("MLFLOW_TRACKING_URI", null);
            Assert.Equal(FlightdeckClient.DefaultTrackingUri, FlightdeckClient.ResolveTrackingUri(null));

            Environment.SetEnvironmentVariable("MLFLOW_TRACKING_URI", "http://mlflow.test:5000");
            Assert.Equal(new Uri("http://mlflow.test:5000/"), FlightdeckClient.ResolveTrackingUri(null));

            Environment.SetEnvironmentVariable("FLIGHTDECK_TRACKING_URI", "https://flightdeck.test");
            using var client = FlightdeckClient.FromEnvironment();
            Assert.Equal(new Uri("https://flightdeck.test/"), client.TrackingUri);
        }
        finally
        {
            Environment.SetEnvironmentVariable("FLIGHTDECK_TRACKING_URI", saved.Item1);
            Environment.SetEnvironmentVariable("MLFLOW_TRACKING_URI", saved.Item2);
        }
    }
}
