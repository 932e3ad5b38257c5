using Flightdeck.Server.Tests.Endpoints;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Ui.Tests.Infrastructure;

/// <summary>
/// A real server with a small ML.NET model registered twice and two endpoints serving version 1: "fraud-scorer", whose
/// version 2 is a canary in progress with some traffic (for the pages to show), and "search-ranker", which a test rolls back.
/// </summary>
public sealed class EndpointsFixture : IAsyncLifetime
{
    public const string Model = "scorer";
    public const string Showcase = "fraud-scorer";
    public const string RollbackTarget = "search-ranker";

    private TestServer? _server;
    private Browser? _browser;

    public TestServer Server => _server ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await EndpointModel.RegisterAsync(_server, Model);
        await _server.CreateEndpointAsync(Showcase, Model);
        await _server.DeployAsync(Showcase, new { version = "2", strategy = "CANARY", steps = new[] { 20, 50, 100 }, bake_seconds = 3600 });
        for (var i = 0; i < 30; i++)
        {
            await _server.ServedVersionAsync(Showcase);
        }

        await _server.CreateEndpointAsync(RollbackTarget, Model);
        _browser = await Browser.LaunchAsync();
    }

    public Task<UiPage> NewPageAsync() => _browser!.NewPageAsync(Server.BaseAddress);

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
