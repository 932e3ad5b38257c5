using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests;

public sealed class HealthTests
{
    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Health_answers_OK_and_version_names_the_MLflow_protocol(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);

        Assert.Equal("OK", await server.Http.GetStringAsync("health"));
        Assert.Matches(@"^\d+\.\d+\.\d+$", await server.Http.GetStringAsync("version"));
    }

    [Fact]
    public async Task Unknown_api_route_answers_ENDPOINT_NOT_FOUND()
    {
        await using var server = await TestServer.StartAsync();

        using var response = await server.GetAsync("no/such/route");

        await TestServer.ReadErrorAsync(response, 404, ErrorCode.EndpointNotFound);
    }
}
