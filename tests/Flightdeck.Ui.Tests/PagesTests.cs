using System.Text.Json;
using System.Text.RegularExpressions;
using System.Web;
using Flightdeck.Ui.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Flightdeck.Ui.Tests;

/// <summary>The web UI in headless Chromium against a real server holding data logged through the REST API.</summary>
public sealed class PagesTests(UiFixture ui) : IClassFixture<UiFixture>
{
    private const string BlueLine = "#2563eb";
    private const string RedLine = "#dc2626";

    private SeededServer Seeded => ui.Seeded;

    private ILocator RunRows(IPage page) => page.Locator("table[aria-label='Runs'] tbody tr[data-run-id]");

    private static ILocator LoadedChart(IPage page, string metric) => page.Locator($"figure[data-metric='{metric}'][data-state='loaded']");

    [Fact]
    public async Task Every_page_loads_from_a_deep_link_without_console_errors()
    {
        var pages = new (string Name, string Url, Func<IPage, Task> Ready)[]
        {
            ("experiments", "/", p => Expect(p.GetByRole(AriaRole.Link, new() { Name = "digits-sweep" })).ToBeVisibleAsync()),
            ("runs", $"/experiments/{Seeded.SweepExperimentId}", p => Expect(RunRows(p)).ToHaveCountAsync(3)),
            ("run", $"/runs/{Seeded.SweepRunIds[0]}", async p =>
            {
                await Expect(LoadedChart(p, "loss").Locator("canvas")).ToBeVisibleAsync();
                await Expect(LoadedChart(p, "accuracy").Locator("canvas")).ToBeVisibleAsync();
                await Expect(p.GetByRole(AriaRole.Button, new() { Name = "Preview" }).First).ToBeVisibleAsync();
            }),
            ("compare", $"/compare?runs={Seeded.SweepRunIds[0]},{Seeded.SweepRunIds[1]},{Seeded.SweepRunIds[2]}",
                p => Expect(LoadedChart(p, "loss").Locator("canvas")).ToBeVisibleAsync()),
            ("models", "/models", p => Expect(p.GetByRole(AriaRole.Link, new() { Name = SeededServer.ModelName })).ToBeVisibleAsync()),
            ("model", $"/models/{SeededServer.ModelName}", p => Expect(p.Locator("table[aria-label='Model versions'] tbody tr")).ToHaveCountAsync(2)),
            ("large-metric", $"/runs/{Seeded.LargeRunId}", p => Expect(LoadedChart(p, "loss").Locator(".chart-status")).ToContainTextAsync("of 200,000 points")),
            ("not-found", "/no/such/page", p => Expect(p.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync()),
        };

        foreach (var (name, url, ready) in pages)
        {
            await using var ui2 = await ui.NewPageAsync();
            var response = await ui2.Page.GotoAsync(url);
            Assert.Equal(200, response!.Status);
            await ready(ui2.Page);
            ui2.AssertNoErrors(name);
            if (name != "not-found")
            {
                await UiFixture.SaveScreenshotAsync(ui2.Page, name);
            }
        }
    }

    [Fact]
    public async Task Searching_filters_the_runs_table_and_shows_the_servers_error_inline()
    {
        await using var ui2 = await ui.NewPageAsync();
        var page = ui2.Page;
        await page.GotoAsync($"/experiments/{Seeded.SweepExperimentId}");
        await Expect(RunRows(page)).ToHaveCountAsync(3);
        var filter = page.GetByLabel("Filter runs");

        await filter.FillAsync("params.optimizer = 'adam'");
        await filter.PressAsync("Enter");
        await Expect(RunRows(page)).ToHaveCountAsync(2);

        await filter.FillAsync("metrics.loss < 0.2 and params.optimizer = 'adam'");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await Expect(RunRows(page)).ToHaveCountAsync(1);
        await Expect(RunRows(page).First).ToContainTextAsync("lr-0.01");
        Assert.Contains("filter=", page.Url, StringComparison.Ordinal);
        ui2.AssertNoErrors("valid filters");

        await filter.FillAsync("metrics.loss <<< banana");
        await filter.PressAsync("Enter");
        var alert = page.Locator("#filter-error");
        await Expect(alert).ToBeVisibleAsync();
        await Expect(alert).Not.ToBeEmptyAsync();
        await Expect(filter).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.All(ui2.Errors, e => Assert.Contains("400", e, StringComparison.Ordinal));

        // The table is reachable from a link with its filter: a reload keeps it.
        await filter.FillAsync("params.lr = '0.1'");
        await filter.PressAsync("Enter");
        await Expect(RunRows(page)).ToHaveCountAsync(1);
        await page.ReloadAsync();
        await Expect(RunRows(page)).ToHaveCountAsync(1);
        await Expect(page.GetByLabel("Filter runs")).ToHaveValueAsync("params.lr = '0.1'");
    }

    [Fact]
    public async Task Column_headers_sort_through_order_by_and_pages_follow_page_tokens()
    {
        await using var ui2 = await ui.NewPageAsync();
        var page = ui2.Page;
        await page.GotoAsync($"/experiments/{Seeded.ManyRunsExperimentId}");
        await Expect(RunRows(page)).ToHaveCountAsync(50);

        await page.GetByLabel("Runs per page").SelectOptionAsync("25");
        await Expect(RunRows(page)).ToHaveCountAsync(25);
        var search = await page.RunAndWaitForRequestAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "score", Exact = true }).ClickAsync(),
            r => r.Url.EndsWith("/runs/search", StringComparison.Ordinal));
        Assert.Contains("metrics.`score` DESC", search.PostData, StringComparison.Ordinal);
        await Expect(RunRows(page).First).ToContainTextAsync("trial-59");

        await page.GetByRole(AriaRole.Button, new() { Name = "score", Exact = true }).ClickAsync();
        await Expect(RunRows(page).First).ToContainTextAsync("trial-00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await Expect(RunRows(page).First).ToContainTextAsync("trial-25");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        await Expect(RunRows(page)).ToHaveCountAsync(10);
        await Expect(RunRows(page).First).ToContainTextAsync("trial-50");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Next" })).ToBeDisabledAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Previous" }).ClickAsync();
        await Expect(RunRows(page).First).ToContainTextAsync("trial-25");
        ui2.AssertNoErrors("sorting and paging");
    }

    [Fact]
    public async Task Comparing_two_runs_draws_both_curves_and_marks_differing_params()
    {
        await using var ui2 = await ui.NewPageAsync();
        var page = ui2.Page;
        await page.GotoAsync($"/experiments/{Seeded.SweepExperimentId}");
        await Expect(RunRows(page)).ToHaveCountAsync(3);
        await page.GetByLabel("Select run lr-0.1").CheckAsync();
        await page.GetByLabel("Select run lr-0.001").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare 2 selected" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/compare\\?runs="));
        var chart = LoadedChart(page, "loss");
        await Expect(chart.Locator("canvas")).ToBeVisibleAsync();
        var pixels = await PixelSummary.OfPngAsync(page, await chart.Locator(".plot").ScreenshotAsync(), BlueLine, RedLine);
        Assert.True(pixels.DistinctColors > 10, $"the chart looks blank: {pixels.DistinctColors} colours");
        Assert.True(pixels.NearColorCounts[0] > 100, $"the first run's curve is missing: {pixels.NearColorCounts[0]} blue pixels");
        Assert.True(pixels.NearColorCounts[1] > 100, $"the second run's curve is missing: {pixels.NearColorCounts[1]} red pixels");

        var parameters = page.Locator("table[aria-label='Parameters of the compared runs'] tbody");
        await Expect(parameters.Locator("tr.differs")).ToHaveCountAsync(2); // lr and optimizer; epochs is the same
        await page.GetByLabel("Only differences").CheckAsync();
        await Expect(parameters.Locator("tr")).ToHaveCountAsync(2);
        await UiFixture.SaveScreenshotAsync(page, "compare-two");
        ui2.AssertNoErrors("compare");
    }

    [Fact]
    public async Task A_200000_point_metric_is_drawn_from_the_downsampled_endpoint_and_zoom_fetches_detail()
    {
        await using var ui2 = await ui.NewPageAsync();
        var page = ui2.Page;
        // The page asks for all its charts in one batch: newline-delimited JSON, one series a line.
        var first = await page.RunAndWaitForResponseAsync(() => page.GotoAsync($"/runs/{Seeded.LargeRunId}"),
            r => r.Url.Contains("/metrics/downsampled-batch", StringComparison.Ordinal));
        var asked = int.Parse(Query(first.Url)["points"]!, System.Globalization.CultureInfo.InvariantCulture);
        var lines = (await first.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        JsonElement? body = lines.Select(line => JsonDocument.Parse(line).RootElement)
            .Single(series => series.GetProperty("key").GetString() == "loss");
        Assert.Equal(SeededServer.LargeMetricPoints, body!.Value.GetProperty("total_points").GetInt32());
        Assert.InRange(body.Value.GetProperty("returned_points").GetInt32(), 2, asked);
        Assert.InRange(body.Value.GetProperty("values").GetArrayLength(), 2, asked);
        Assert.Contains(body.Value.GetProperty("values").EnumerateArray(), v => v.GetDouble() == 25.0); // the spike survives

        var chart = LoadedChart(page, "loss");
        await Expect(chart.Locator(".chart-status")).ToContainTextAsync("of 200,000 points");
        var pixels = await PixelSummary.OfPngAsync(page, await chart.Locator(".plot").ScreenshotAsync(), BlueLine);
        Assert.True(pixels.DistinctColors > 10 && pixels.NearColorCounts[0] > 200, $"blank chart: {pixels}");

        // Drag across the middle fifth of the plot: the chart asks for that step range only.
        var over = chart.Locator(".u-over");
        var box = (await over.BoundingBoxAsync())!;
        var zoom = await page.RunAndWaitForResponseAsync(async () =>
        {
            await page.Mouse.MoveAsync(box.X + (box.Width * 0.4f), box.Y + (box.Height / 2));
            await page.Mouse.DownAsync();
            await page.Mouse.MoveAsync(box.X + (box.Width * 0.5f), box.Y + (box.Height / 2), new() { Steps = 5 });
            await page.Mouse.MoveAsync(box.X + (box.Width * 0.6f), box.Y + (box.Height / 2), new() { Steps = 5 });
            await page.Mouse.UpAsync();
        }, r => r.Url.Contains("/metrics/downsampled", StringComparison.Ordinal) && r.Url.Contains("min_step", StringComparison.Ordinal));
        var range = Query(zoom.Url);
        var (min, max) = (long.Parse(range["min_step"]!, System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(range["max_step"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(min, 60_000, 100_000);
        Assert.InRange(max, 100_000, 140_000);
        var zoomed = (await zoom.JsonAsync())!.Value;
        Assert.Equal(max - min + 1, zoomed.GetProperty("total_points").GetInt64());
        Assert.InRange(zoomed.GetProperty("returned_points").GetInt32(), 2, asked);
        Assert.All(zoomed.GetProperty("steps").EnumerateArray(), s => Assert.InRange(s.GetInt64(), min, max));
        await Expect(chart.GetByRole(AriaRole.Button, new() { Name = "Reset zoom" })).ToBeVisibleAsync();
        await Expect(LoadedChart(page, "loss").Locator(".chart-status")).Not.ToContainTextAsync("of 200,000");

        await chart.GetByRole(AriaRole.Button, new() { Name = "Reset zoom" }).ClickAsync();
        await Expect(LoadedChart(page, "loss").Locator(".chart-status")).ToContainTextAsync("of 200,000 points");
        ui2.AssertNoErrors("large metric");
    }

    [Fact]
    public async Task Experiments_are_created_renamed_searched_deleted_and_restored()
    {
        await using var ui2 = await ui.NewPageAsync();
        var page = ui2.Page;
        await page.GotoAsync("/experiments");
        var rows = page.Locator("table[aria-label='Experiments'] tbody tr");

        await page.GetByLabel("New experiment name").FillAsync("ui-created");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create experiment" }).ClickAsync();
        var row = rows.Filter(new() { HasText = "ui-created" });
        await Expect(row).ToHaveCountAsync(1);

        await row.GetByRole(AriaRole.Button, new() { Name = "Rename" }).ClickAsync();
        await page.GetByLabel("New name for ui-created").FillAsync("ui-renamed");
        await page.GetByLabel("New name for ui-created").PressAsync("Enter");
        row = rows.Filter(new() { HasText = "ui-renamed" });
        await Expect(row).ToHaveCountAsync(1);

        await page.GetByLabel("Search experiments by name").FillAsync("RENAMED");
        await page.GetByLabel("Search experiments by name").PressAsync("Enter");
        await Expect(rows).ToHaveCountAsync(1);

        await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(rows.First).ToContainTextAsync("No experiments match");
        await page.GetByLabel("Show deleted").CheckAsync();
        await Expect(row.Locator(".badge")).ToHaveTextAsync("deleted");
        await row.GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync();
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Rename" })).ToBeVisibleAsync();

        // A duplicate name is refused by the server, and its message is shown next to the form.
        await page.GetByLabel("New experiment name").FillAsync("ui-renamed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create experiment" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "ui-renamed" })).ToBeVisibleAsync();

        // Leave the shared server's list as the other tests and the screenshots expect it.
        await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Restore" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_run_page_shows_datasets_previews_text_json_csv_and_images_downloads_and_redraws_charts()
    {
        await using var ui2 = await ui.NewPageAsync();
        var page = ui2.Page;
        await page.GotoAsync($"/runs/{Seeded.SweepRunIds[1]}");
        await Expect(page.Locator("dl.facts")).ToContainTextAsync("train.py");
        await Expect(page.Locator("table[aria-label='Parameters']")).ToContainTextAsync("adam");

        var config = page.Locator("ul.tree li").Filter(new() { HasText = "config.json" });
        await config.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(page.Locator(".preview pre")).ToContainTextAsync("\"layers\": [");

        var download = await page.RunAndWaitForDownloadAsync(() => config.GetByRole(AriaRole.Link, new() { Name = "Download" }).ClickAsync());
        Assert.Equal("config.json", download.SuggestedFilename);
        var saved = Path.Combine(Path.GetTempPath(), $"ui-download-{Guid.NewGuid():N}.json");
        await download.SaveAsAsync(saved);
        Assert.Contains("\"optimizer\":\"adam\"", await File.ReadAllTextAsync(saved), StringComparison.Ordinal);
        File.Delete(saved);

        await page.GetByRole(AriaRole.Button, new() { Name = "logs/" }).ClickAsync();
        var log = page.Locator("ul.tree li").Filter(new() { HasText = "train.log" });
        await log.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await Expect(page.Locator(".preview pre")).ToContainTextAsync("epoch 2 loss 1.7");

        var csv = page.Locator("ul.tree li").Filter(new() { HasText = "predictions.csv" });
        await csv.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        var head = page.Locator("table[aria-label='First rows of predictions.csv']");
        await Expect(head.Locator("thead th")).ToHaveTextAsync(["id", "label", "note"]);
        await Expect(head.Locator("tbody tr").First.Locator("td").Nth(2)).ToHaveTextAsync("seven, clearly");

        var image = page.Locator("ul.tree li").Filter(new() { HasText = "confusion.png" });
        await image.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        var img = page.GetByRole(AriaRole.Img, new() { Name = "Artifact confusion.png" });
        await Expect(img).ToBeVisibleAsync();
        await Expect(img).ToHaveJSPropertyAsync("naturalWidth", 1);

        var datasets = page.Locator("table[aria-label='Dataset inputs']");
        await Expect(datasets).ToContainTextAsync("digits-train");
        await Expect(datasets).ToContainTextAsync("training");

        // Log scale, smoothing and a time axis redraw the charts from the points already fetched.
        var plot = LoadedChart(page, "loss").Locator(".plot");
        var linear = await plot.ScreenshotAsync();
        await page.GetByLabel("Log scale").CheckAsync();
        var logarithmic = await plot.ScreenshotAsync();
        Assert.NotEqual(linear, logarithmic);
        await page.GetByLabel("Smoothing").FillAsync("0.9");
        await Expect(LoadedChart(page, "loss").Locator(".u-legend")).ToContainTextAsync("(raw)");
        await page.GetByLabel("X axis").SelectOptionAsync("time");
        await Expect(LoadedChart(page, "loss").Locator(".u-legend")).ToContainTextAsync("time (s)");
        ui2.AssertNoErrors("run page");
    }

    [Fact]
    public async Task Pages_are_usable_from_the_keyboard_with_visible_focus()
    {
        await using var ui2 = await ui.NewPageAsync();
        var page = ui2.Page;
        await page.GotoAsync("/experiments");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "digits-sweep" })).ToBeVisibleAsync();

        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("solid", await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle"));

        await page.GetByRole(AriaRole.Link, new() { Name = "digits-sweep" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex($"/experiments/{Seeded.SweepExperimentId}$"));
        await Expect(RunRows(page)).ToHaveCountAsync(3);

        await page.GetByLabel("Select run lr-0.1").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await page.GetByLabel("Select run lr-0.01", new() { Exact = true }).FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare 2 selected" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(LoadedChart(page, "loss")).ToBeVisibleAsync();

        await page.GoBackAsync();
        await Expect(RunRows(page)).ToHaveCountAsync(3);
        ui2.AssertNoErrors("keyboard");
    }

    private static System.Collections.Specialized.NameValueCollection Query(string url) => HttpUtility.ParseQueryString(new Uri(url).Query);
}
