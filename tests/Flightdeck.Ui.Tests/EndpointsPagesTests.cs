using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Endpoints;
using Flightdeck.Server.Tests.Infrastructure;
using Flightdeck.Ui.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Flightdeck.Ui.Tests;

/// <summary>The endpoints pages in headless Chromium against a server serving a real model.</summary>
public sealed class EndpointsPagesTests(EndpointsFixture fixture) : IClassFixture<EndpointsFixture>
{
    private static ILocator Route(IPage page, string version) =>
        page.Locator($"ul[aria-label='Traffic split'] li[data-version='{version}']");

    [Fact]
    public async Task The_endpoints_pages_load_without_console_errors_and_show_the_rollout()
    {
        await using var ui = await fixture.NewPageAsync();
        var page = ui.Page;
        Assert.Equal(200, (await page.GotoAsync("/endpoints"))!.Status);
        var row = page.Locator($"tr[data-endpoint='{EndpointsFixture.Showcase}']");
        await Expect(row).ToContainTextAsync("UPDATING");
        await Expect(row.Locator("li[data-version='1']")).ToContainTextAsync("80%");
        await Expect(row.Locator("li[data-version='2']")).ToContainTextAsync("20%");
        await Expect(row).ToContainTextAsync("step 1 of 3");
        await Expect(page.Locator($"tr[data-endpoint='{EndpointsFixture.RollbackTarget}']")).ToContainTextAsync("READY");
        await UiFixture.SaveScreenshotAsync(page, "endpoints");

        await row.GetByRole(AriaRole.Link, new() { Name = EndpointsFixture.Showcase }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = EndpointsFixture.Showcase })).ToBeVisibleAsync();
        await Expect(Route(page, "2")).ToHaveAttributeAsync("data-role", RouteRole.Candidate);
        await Expect(Route(page, "2")).ToContainTextAsync("20%");
        await Expect(page.Locator("ol[aria-label='Rollout steps'] li[aria-current='step']")).ToHaveTextAsync("20%");
        await Expect(page.Locator("ol[aria-label='Rollout steps'] li")).ToHaveCountAsync(3);
        await Expect(page.Locator(".bake-left")).ToContainTextAsync("of 60 min");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Guardrails" })).ToContainTextAsync("Error rate");
        await Expect(page.Locator("ol[aria-label='Deployment history'] li[data-type='ROLLOUT_STARTED']")).ToHaveCountAsync(1);
        await Expect(page.Locator("ol[aria-label='Deployment history'] li[data-type='CREATED']")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Promote" })).ToBeEnabledAsync();

        // Cancelling the confirmation changes nothing, and Escape closes it with focus back on the button.
        await page.GetByRole(AriaRole.Button, new() { Name = "Promote" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Promote version 2?" });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Promote" })).ToBeFocusedAsync();
        var endpoint = await fixture.Server.OkAsync(HttpMethod.Get, $"/{EndpointsFixture.Showcase}");
        Assert.Equal($"{EndpointsFixture.Model}/2:CANDIDATE:20", endpoint.GetProperty("endpoint").Routes()[1]);

        // An auto-refresh later, the page is still whole and quiet.
        await page.WaitForTimeoutAsync(3500);
        await Expect(page.Locator("figure[data-live]")).ToHaveCountAsync(3);
        await Expect(page.Locator("figure[data-live='Throughput'] canvas")).ToBeVisibleAsync();
        Assert.NotEqual("0", await page.Locator("figure[data-live='p99 latency']").GetAttributeAsync("data-points"));
        await UiFixture.SaveScreenshotAsync(page, "endpoint");
        ui.AssertNoErrors("endpoints pages");
    }

    [Fact]
    public async Task The_live_traffic_api_counts_each_version_per_second_and_refuses_bad_windows()
    {
        var server = fixture.Server;
        var pin1 = new Dictionary<string, string> { [EndpointHeaders.PinVersion] = "1" };
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("1", await server.ServedVersionAsync(EndpointsFixture.Showcase, pin1));
        }

        using var ok = await server.Http.GetAsync($"api/flightdeck/v1/ui/endpoints/{EndpointsFixture.Showcase}/traffic?seconds=600");
        var live = await TestServer.ReadOkAsync(ok);
        var versions = live.GetProperty("versions").EnumerateArray().ToDictionary(v => v.GetProperty("version").GetString()!);
        Assert.True(versions["1"].GetProperty("requests").EnumerateArray().Sum(r => r.GetInt64()) >= 5);
        Assert.True(versions.ContainsKey("2"));
        Assert.All(versions["1"].GetProperty("p99_latency_ms").EnumerateArray(), p => Assert.True(p.GetDouble() >= 0));

        foreach (var bad in new[] { "0", "601", "abc", "-5" })
        {
            using var response = await server.Http.GetAsync($"api/flightdeck/v1/ui/endpoints/{EndpointsFixture.Showcase}/traffic?seconds={bad}");
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }
    }

    [Fact]
    public async Task Rollback_from_the_endpoints_page_changes_the_live_traffic_of_a_running_endpoint()
    {
        var server = fixture.Server;
        const string name = EndpointsFixture.RollbackTarget;
        var deployed = await server.DeployAsync(name, new { version = "2", strategy = "CANARY", steps = new[] { 50, 100 }, bake_seconds = 3600 });
        Assert.Equal([$"{EndpointsFixture.Model}/1:LIVE:50", $"{EndpointsFixture.Model}/2:CANDIDATE:50"], deployed.Routes());
        var pin2 = new Dictionary<string, string> { [EndpointHeaders.PinVersion] = "2" };
        Assert.Equal("2", await server.ServedVersionAsync(name, pin2));

        await using var ui = await fixture.NewPageAsync();
        var page = ui.Page;
        await page.GotoAsync($"/endpoints/{name}");
        await Expect(Route(page, "2")).ToContainTextAsync("50%");
        await Expect(Route(page, "1")).ToContainTextAsync("50%");

        await page.GetByRole(AriaRole.Button, new() { Name = "Rollback" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Roll back to version 1?" });
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.GetByLabel("Reason (optional)").FillAsync("checked from the UI");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Roll back" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);

        await Expect(Route(page, "1")).ToContainTextAsync("100%");
        await Expect(Route(page, "1")).ToHaveAttributeAsync("data-role", RouteRole.Live);
        await Expect(Route(page, "2")).ToHaveCountAsync(0);
        await Expect(page.Locator(".rollout")).ToHaveAttributeAsync("data-status", RolloutStatus.RolledBack);
        await Expect(page.Locator("ol[aria-label='Deployment history'] li[data-type='ROLLED_BACK']")).ToContainTextAsync("checked from the UI");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Rollback" })).ToBeDisabledAsync();

        var endpoint = (await server.OkAsync(HttpMethod.Get, $"/{name}")).GetProperty("endpoint");
        Assert.Equal([$"{EndpointsFixture.Model}/1:LIVE:100"], endpoint.Routes());
        Assert.Equal(EndpointState.Ready, endpoint.GetProperty("state").GetString());
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("1", await server.ServedVersionAsync(name));
        }

        ui.AssertNoErrors("rollback");
    }
}
