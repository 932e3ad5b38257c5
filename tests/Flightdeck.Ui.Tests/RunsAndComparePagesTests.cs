using System.Text.RegularExpressions;
using Flightdeck.Ui.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Flightdeck.Ui.Tests;

/// <summary>The runs table over several experiments, the run page's sections and the compare page's param views, in Chromium.</summary>
public sealed class RunsAndComparePagesTests(RunsFixture fixture) : IClassFixture<RunsFixture>
{
    private static ILocator RunRows(IPage page) => page.Locator("table[aria-label='Runs'] tbody tr[data-run-id]");

    [Fact]
    public async Task Experiments_chosen_together_show_their_runs_in_one_table_with_an_experiment_column()
    {
        await using var ui = await fixture.NewPageAsync();
        var page = ui.Page;
        await page.GotoAsync("/experiments");
        await page.GetByLabel("Choose experiment vision-a").CheckAsync();
        await page.GetByLabel("Choose experiment vision-b").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "View runs of 2 experiments" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"/runs\\?experiment_id={fixture.ExperimentA}&experiment_id={fixture.ExperimentB}"));
        await Expect(RunRows(page)).ToHaveCountAsync(3);
        var headers = page.Locator("table[aria-label='Runs'] thead th");
        await Expect(headers.Filter(new() { HasTextRegex = new Regex("^Experiment$") })).ToHaveCountAsync(1);
        await Expect(RunRows(page).Filter(new() { HasText = "a-1" })).ToContainTextAsync("vision-a");
        await Expect(RunRows(page).Filter(new() { HasText = "b-1" })).ToContainTextAsync("vision-b");
        await UiFixture.SaveScreenshotAsync(page, "runs-several");
        ui.AssertNoErrors("runs of two experiments");

        // The filter applies across both experiments, and a reload keeps the experiments and the filter.
        var filter = page.GetByLabel("Filter runs");
        await filter.FillAsync("params.optimizer = 'adam'");
        await filter.PressAsync("Enter");
        await Expect(RunRows(page)).ToHaveCountAsync(2);
        await page.ReloadAsync();
        await Expect(RunRows(page)).ToHaveCountAsync(2);
        await Expect(RunRows(page).Filter(new() { HasText = "b-1" })).ToContainTextAsync("vision-b");

        // Every example under "Filter syntax" is a filter the server accepts.
        await page.GetByText("Filter syntax").ClickAsync();
        var examples = await page.Locator("details.syntax code").AllInnerTextsAsync();
        Assert.True(examples.Count >= 5, $"{examples.Count} examples");
        foreach (var example in examples)
        {
            await filter.FillAsync(example);
            var response = await page.RunAndWaitForResponseAsync(() => filter.PressAsync("Enter"), r => r.Url.EndsWith("/runs/search", StringComparison.Ordinal));
            Assert.True(response.Status == 200, $"{example}: {response.Status} {await response.TextAsync()}");
            await Expect(page.Locator("#filter-error")).ToBeHiddenAsync();
        }

        ui.AssertNoErrors("filter examples");

        // A bad filter is the server's 400, shown inline.
        await filter.FillAsync("params.optimizer === 'adam'");
        await filter.PressAsync("Enter");
        await Expect(page.Locator("#filter-error")).ToBeVisibleAsync();
        Assert.All(ui.Errors, e => Assert.Contains("400", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_column_whose_key_holds_a_comma_shows_its_values_sorts_and_survives_a_reload()
    {
        await using var ui = await fixture.NewPageAsync();
        var page = ui.Page;
        await page.GotoAsync($"/experiments/{fixture.ExperimentA}");
        await Expect(RunRows(page)).ToHaveCountAsync(2);

        // Start from no param columns, then choose the comma key in the column chooser.
        await page.GetByText("Columns", new() { Exact = true }).ClickAsync();
        var chooser = page.Locator(".columns-panel");
        foreach (var key in new[] { "lr", "optimizer", RunsFixture.CommaKey, "epochs" })
        {
            await chooser.GetByLabel(key, new() { Exact = true }).UncheckAsync();
        }

        await chooser.GetByLabel("loss", new() { Exact = true }).UncheckAsync();
        Assert.Matches("[?&]col=(&|$)", page.Url); // no columns is a choice of its own, not the defaults
        await page.ReloadAsync();
        await Expect(page.Locator("table[aria-label='Runs'] thead th")).ToHaveCountAsync(6); // select, run, status, started, user, duration

        await page.GetByText("Columns", new() { Exact = true }).ClickAsync();
        await chooser.GetByLabel(RunsFixture.CommaKey, new() { Exact = true }).CheckAsync();
        var column = page.GetByRole(AriaRole.Button, new() { Name = RunsFixture.CommaKey, Exact = true });
        await Expect(column).ToBeVisibleAsync();
        await Expect(RunRows(page).Filter(new() { HasText = "a-1" })).ToContainTextAsync("32");
        await Expect(RunRows(page).Filter(new() { HasText = "a-2" })).ToContainTextAsync("64");

        var search = await page.RunAndWaitForRequestAsync(() => column.ClickAsync(), r => r.Url.EndsWith("/runs/search", StringComparison.Ordinal));
        Assert.Contains("params.`batch,size` DESC", search.PostData, StringComparison.Ordinal);
        await Expect(RunRows(page).First).ToContainTextAsync("a-2"); // "64" > "32" as text

        await page.ReloadAsync();
        await Expect(RunRows(page)).ToHaveCountAsync(2);
        var headerTexts = await page.Locator("table[aria-label='Runs'] thead th").AllInnerTextsAsync();
        Assert.Contains(headerTexts, t => t.StartsWith(RunsFixture.CommaKey, StringComparison.Ordinal));
        Assert.DoesNotContain(headerTexts, t => t.Trim() is "batch" or "size");
        await Expect(RunRows(page).Filter(new() { HasText = "a-1" })).ToContainTextAsync("32");
        ui.AssertNoErrors("comma column");
    }

    [Fact]
    public async Task The_run_page_shows_overview_params_previews_of_json_csv_png_and_svg_datasets_and_logged_models()
    {
        await using var ui = await fixture.NewPageAsync();
        var page = ui.Page;
        await page.GotoAsync($"/runs/{fixture.RunIds[0]}");

        var facts = page.Locator("dl.facts");
        await Expect(facts).ToContainTextAsync("train_vision.py");
        await Expect(facts).ToContainTextAsync("grace");
        await Expect(facts).ToContainTextAsync("1.5 min");
        await Expect(facts).ToContainTextAsync("active");
        await Expect(page.Locator("table[aria-label='Parameters']")).ToContainTextAsync(RunsFixture.CommaKey);
        await Expect(page.Locator("table[aria-label='Parameters']")).ToContainTextAsync("sgd");

        await page.GetByRole(AriaRole.Button, new() { Name = "metrics/", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview metrics/summary.json" }).ClickAsync();
        await Expect(page.Locator(".preview pre")).ToContainTextAsync("\"best\": {\n    \"epoch\": 7");

        await page.GetByRole(AriaRole.Button, new() { Name = "data/", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview data/head.csv" }).ClickAsync();
        var head = page.Locator("table[aria-label='First rows of data/head.csv']");
        await Expect(head.Locator("thead th")).ToHaveTextAsync(["city", "population", "note"]);
        await Expect(head.Locator("tbody tr")).ToHaveCountAsync(2);
        await Expect(head.Locator("tbody tr").First.Locator("td").Nth(2)).ToHaveTextAsync("capital, largest");

        await page.GetByRole(AriaRole.Button, new() { Name = "plots/", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview plots/pixel.png" }).ClickAsync();
        var png = page.GetByRole(AriaRole.Img, new() { Name = "Artifact plots/pixel.png" });
        await Expect(png).ToHaveJSPropertyAsync("naturalWidth", 1);

        await page.GetByRole(AriaRole.Button, new() { Name = "Preview plots/diagram.svg" }).ClickAsync();
        var svg = page.GetByRole(AriaRole.Img, new() { Name = "Artifact plots/diagram.svg" });
        await Expect(svg).ToHaveJSPropertyAsync("naturalWidth", 120);
        Assert.StartsWith("blob:", await svg.GetAttributeAsync("src"), StringComparison.Ordinal);
        await Expect(page.Locator(".preview svg")).ToHaveCountAsync(0);
        Assert.False(await page.EvaluateAsync<bool>("() => window.svgScriptRan === true"), "the SVG's script ran in the page");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Download plots/diagram.svg" })).ToHaveAttributeAsync("download", "diagram.svg");

        var datasets = page.Locator("table[aria-label='Dataset inputs']");
        await Expect(datasets).ToContainTextAsync("cities");
        await Expect(datasets).ToContainTextAsync("c1t1e5");
        await Expect(datasets).ToContainTextAsync("local: data/cities.parquet");
        await datasets.GetByText("Schema", new() { Exact = true }).ClickAsync();
        await Expect(datasets.Locator("details[open] pre")).ToContainTextAsync("\"name\": \"population\"");
        await datasets.GetByText("Profile", new() { Exact = true }).ClickAsync();
        await Expect(datasets).ToContainTextAsync("\"num_rows\": 2");

        var model = page.GetByRole(AriaRole.Link, new() { Name = $"{RunsFixture.ModelName} v1" });
        await Expect(model).ToHaveAttributeAsync("href", $"/models/{RunsFixture.ModelName}/versions/1");
        await page.EvalOnSelectorAsync("#datasets", "e => e.scrollIntoView({ block: 'start' })");
        await UiFixture.SaveScreenshotAsync(page, "run-sections");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Datasets, models and endpoints of this run" }))
            .ToHaveAttributeAsync("href", $"/lineage?node=run%3A{fixture.RunIds[0]}");
        ui.AssertNoErrors("run page");

        // The logged model's link opens its version page.
        await model.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"{RunsFixture.ModelName} · Version 1" })).ToBeVisibleAsync();
        ui.AssertNoErrors("model version page from the run page");

        // A run without registered versions says so.
        await page.GotoAsync($"/runs/{fixture.RunIds[1]}");
        await Expect(page.Locator("section[aria-labelledby='logged-models']")).ToContainTextAsync("No registered model versions");
        ui.AssertNoErrors("run page without models");
    }

    [Fact]
    public async Task Compare_marks_differing_params_and_draws_one_mark_per_run_in_the_scatter_and_parallel_coordinates()
    {
        await using var ui = await fixture.NewPageAsync();
        var page = ui.Page;
        await page.GotoAsync($"/compare?runs={string.Join(",", fixture.RunIds)}");

        var parameters = page.Locator("table[aria-label='Parameters of the compared runs'] tbody");
        await Expect(parameters.Locator("tr")).ToHaveCountAsync(4);
        await Expect(parameters.Locator("tr.differs")).ToHaveCountAsync(3); // lr, optimizer and batch,size; epochs is the same
        await Expect(parameters.Locator("tr").Filter(new() { HasText = "epochs" })).Not.ToHaveClassAsync(new Regex("differs"));
        await page.GetByLabel("Only differences").CheckAsync();
        await Expect(parameters.Locator("tr")).ToHaveCountAsync(3);
        await Expect(parameters).Not.ToContainTextAsync("epochs");

        var scatter = page.Locator("figure[data-view='scatter'] svg");
        await Expect(scatter.Locator("circle.mark")).ToHaveCountAsync(3);
        foreach (var runId in fixture.RunIds)
        {
            await Expect(scatter.Locator($"circle[data-run-id='{runId}']")).ToHaveCountAsync(1);
        }

        // Each mark is a link to its run, reachable from the keyboard and named by its values.
        var firstMark = scatter.Locator("a.mark-link").First;
        await Expect(firstMark).ToHaveAttributeAsync("href", $"/runs/{fixture.RunIds[0]}");
        await Expect(firstMark).ToHaveAttributeAsync("aria-label", new Regex("^a-1: .*loss = 0\\.9"));

        // The x axis starts at the first differing param; lr is numeric: the run with the largest lr (a-1, 0.1) is
        // rightmost, and a-1 has the highest latest loss.
        await Expect(page.GetByLabel("Parameter (x axis)")).ToHaveValueAsync(RunsFixture.CommaKey);
        await page.GetByLabel("Parameter (x axis)").SelectOptionAsync("lr");
        await Expect(scatter.Locator(".axis-label").First).ToHaveTextAsync("lr");
        var xs = await scatter.Locator("circle.mark").EvaluateAllAsync<double[]>("cs => cs.map(c => Number(c.getAttribute('cx')))");
        var ys = await scatter.Locator("circle.mark").EvaluateAllAsync<double[]>("cs => cs.map(c => Number(c.getAttribute('cy')))");
        Assert.Equal(xs.Max(), xs[0]);
        Assert.Equal(ys.Min(), ys[0]); // highest value is nearest the top
        await page.GetByLabel("Parameter (x axis)").SelectOptionAsync("optimizer");
        await Expect(scatter.Locator("circle.mark")).ToHaveCountAsync(3);
        await Expect(scatter).ToContainTextAsync("sgd");
        await page.GetByLabel("Log x").CheckAsync();
        await Expect(scatter.Locator("circle.mark")).ToHaveCountAsync(3);

        var parallel = page.Locator("figure[data-view='parallel'] svg");
        await Expect(parallel.Locator("path.mark")).ToHaveCountAsync(3);
        var axisLabels = parallel.Locator(".axis-label");
        await Expect(axisLabels).ToHaveCountAsync(4); // the three differing params, then the metric
        await Expect(axisLabels.Last).ToContainTextAsync("loss");
        var d = await parallel.Locator("path.mark").First.GetAttributeAsync("d");
        Assert.Equal(4, Regex.Matches(d!, "[ML]").Count);
        await page.Locator("figure[data-view='parallel']").GetByLabel("epochs").CheckAsync();
        await Expect(axisLabels).ToHaveCountAsync(5);
        Assert.Contains("axis=epochs", page.Url, StringComparison.Ordinal);
        await page.EvalOnSelectorAsync("#param-plots", "e => e.scrollIntoView({ block: 'start' })");
        await UiFixture.SaveScreenshotAsync(page, "compare-params");

        // The choices are in the URL: a reload draws the same view.
        await page.ReloadAsync();
        await Expect(page.GetByLabel("Parameter (x axis)")).ToHaveValueAsync("optimizer");
        await Expect(parallel.Locator(".axis-label")).ToHaveCountAsync(5);
        await Expect(page.GetByLabel("Only differences")).ToBeCheckedAsync();
        ui.AssertNoErrors("compare");
    }

    [Fact]
    public async Task The_runs_page_without_experiments_points_to_the_experiments_page()
    {
        await using var ui = await fixture.NewPageAsync();
        var page = ui.Page;
        await page.GotoAsync("/runs");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "experiments page" })).ToBeVisibleAsync();
        ui.AssertNoErrors("empty runs page");
    }
}
