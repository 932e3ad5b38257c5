using Flightdeck.Ui.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Flightdeck.Ui.Tests;

/// <summary>The run page's chart options: each redraws every chart from the points already fetched.</summary>
public sealed class ChartOptionsTests(UiFixture ui) : IClassFixture<UiFixture>
{
    [Fact]
    public async Task Log_scale_x_axis_and_smoothing_redraw_every_chart_without_errors_or_new_requests()
    {
        await using var ui2 = await ui.NewPageAsync();
        var page = ui2.Page;
        var chartRequests = 0;
        page.Request += (_, r) => { if (r.Url.Contains("/metrics/downsampled", StringComparison.Ordinal)) chartRequests++; };
        await page.GotoAsync($"/runs/{ui.Seeded.SweepRunIds[0]}");
        await page.WaitForSelectorAsync("html[data-ready-charts]", new() { State = WaitForSelectorState.Attached });
        var charts = page.Locator("figure.chart");
        await Expect(charts).ToHaveCountAsync(2); // accuracy and loss
        await Expect(page.Locator("figure.chart[data-state='loaded'] canvas")).ToHaveCountAsync(2);
        Assert.Equal(1, chartRequests); // one batch for both charts

        var plot = page.Locator("figure[data-metric='loss'] .plot");
        var legend = page.Locator("figure[data-metric='loss'] .u-legend");
        var previous = await plot.ScreenshotAsync();
        async Task ExpectRedrawnAsync(string what)
        {
            await Expect(page.Locator("figure.chart[data-state='loaded'] canvas")).ToHaveCountAsync(2);
            var now = await plot.ScreenshotAsync();
            Assert.False(now.AsSpan().SequenceEqual(previous), $"{what} did not change the loss chart");
            previous = now;
        }

        await page.GetByLabel("Log scale").CheckAsync();
        await ExpectRedrawnAsync("log scale");

        await page.GetByLabel("X axis").SelectOptionAsync("time");
        await Expect(legend).ToContainTextAsync("time (s)");
        await ExpectRedrawnAsync("relative time");

        await page.GetByLabel("X axis").SelectOptionAsync("wall");
        await Expect(legend).Not.ToContainTextAsync("time (s)");
        await Expect(legend).ToContainTextAsync("time");
        await ExpectRedrawnAsync("wall-clock time");

        await page.GetByLabel("Smoothing").FillAsync("0.8");
        // Every chart, not only the first, shows the smoothed line over the faint raw one.
        await Expect(page.Locator("figure.chart .u-legend").Filter(new() { HasText = "(raw)" })).ToHaveCountAsync(2);
        await ExpectRedrawnAsync("smoothing");

        await page.GetByLabel("X axis").SelectOptionAsync("step");
        await page.GetByLabel("Log scale").UncheckAsync();
        await page.GetByLabel("Smoothing").FillAsync("0");
        await Expect(page.Locator("figure.chart .u-legend").Filter(new() { HasText = "(raw)" })).ToHaveCountAsync(0);
        await Expect(legend).ToContainTextAsync("step");
        await ExpectRedrawnAsync("back to the defaults");

        Assert.Equal(1, chartRequests);
        ui2.AssertNoErrors("chart options");
    }
}
