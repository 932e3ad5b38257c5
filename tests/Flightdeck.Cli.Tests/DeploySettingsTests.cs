using Flightdeck.Cli.Commands.Endpoints;
using Flightdeck.Contracts;

namespace Flightdeck.Cli.Tests;

public sealed class DeploySettingsTests
{
    [Fact]
    public void Deploy_options_become_the_wire_request()
    {
        var settings = new DeployEndpointSettings
        {
            Name = "fraud", Alias = "challenger", Strategy = "Blue-Green", Steps = "100", Bake = "90s", TerminationWait = "5m",
            MaxErrorRate = 0.02, MaxP99 = "0.2s", MaxPsi = 0.25, MinRequests = 50,
        };

        var request = settings.ToRequest();

        Assert.Equal(RolloutStrategy.BlueGreen, request.Strategy);
        Assert.Equal("challenger", request.Alias);
        Assert.Null(request.Version);
        Assert.Equal([100], request.Steps);
        Assert.Equal((90, 300), (request.BakeSeconds, request.TerminationWaitSeconds));
        Assert.Equal(new RolloutGuardrails { MaxErrorRate = 0.02, MaxP99LatencyMs = 200, MaxPredictionPsi = 0.25, MinRequests = 50 }, request.Guardrails);
    }

    [Theory]
    [InlineData("50ms", 50)]
    [InlineData("50", 50)]
    [InlineData("1.5s", 1500)]
    public void P99_limits_read_as_milliseconds(string text, double expected) => Assert.Equal(expected, DeployEndpointSettings.Milliseconds(text));

    [Fact]
    public void Defaults_are_left_to_the_server()
    {
        var request = new DeployEndpointSettings { Name = "fraud", Version = "4" }.ToRequest();

        Assert.Equal(new DeployRequest { Version = "4" }, request with { Steps = null });
        Assert.Null(request.Steps);
        Assert.Null(request.Guardrails);
    }
}
