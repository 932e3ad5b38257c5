using System.Text.RegularExpressions;
using Flightdeck.Server.Tests.Endpoints;
using Flightdeck.Server.Tests.Infrastructure;
using Flightdeck.Server.Tests.Registry;
using Flightdeck.Ui.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Flightdeck.Ui.Tests;

/// <summary>
/// A real server whose registry holds "churn-model": three versions of a real ML.NET package registered from the run
/// "train-churn" (which read the dataset "churn-2024"), version 1 tagged, given and then losing the alias @champion, and
/// served by the endpoint "churn-api"; plus a few other described models and enough bulk ones for the list to page.
/// </summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    public const string Model = "churn-model";
    public const string RunName = "train-churn";
    public const string Endpoint = "churn-api";
    public const int BulkModels = 30;

    /// <summary>Models with a description and a version each, named to sort around <see cref="Model"/>.</summary>
    public static readonly string[] OtherModels = ["ads-ctr", "demand-forecast", "fraud-detector"];

    public static int AllModels => 1 + OtherModels.Length + BulkModels;

    private TestServer? _server;
    private Browser? _browser;

    public TestServer Server => _server ?? throw new InvalidOperationException("not started");

    public string RunId { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await EndpointModel.RegisterAsync(_server, Model, versions: 3);
        var version = (await _server.GetOkAsync($"model-versions/get?name={Model}&version=1")).GetProperty("model_version");
        RunId = version.GetProperty("run_id").GetString()!;
        await _server.PostOkAsync("runs/update", new { run_id = RunId, run_name = RunName, status = "FINISHED" });
        await _server.PostOkAsync("runs/log-inputs", new
        {
            run_id = RunId,
            datasets = new[] { new { dataset = new { name = "churn-2024", digest = "c4u2n", source_type = "local", source = "data/churn.csv" } } },
        });
        await _server.SendOkAsync(HttpMethod.Patch, "registered-models/update", new { name = Model, description = "Predicts which customers leave." });
        // Apart in time, so the timeline's order is the order of these calls.
        await Later(() => _server.PostOkAsync("model-versions/set-tag", new { name = Model, version = "1", key = "validated", value = "yes" }));
        await Later(() => _server.PostOkAsync("registered-models/alias", new { name = Model, alias = "champion", version = "1" }));
        await Later(() => _server.CreateEndpointAsync(Endpoint, Model));
        await Later(() => _server.PostOkAsync("registered-models/alias", new { name = Model, alias = "champion", version = "2" }));
        foreach (var other in OtherModels)
        {
            await _server.PostOkAsync("registered-models/create", new { name = other, description = $"The {other.Replace('-', ' ')} model." });
            await _server.CreateVersionAsync(other, $"s3://models/{other}");
            await _server.PostOkAsync("registered-models/alias", new { name = other, alias = "prod", version = "1" });
        }

        for (var i = 0; i < BulkModels; i++)
        {
            await _server.CreateModelAsync($"sweep-model-{i:D2}");
        }

        _browser = await Browser.LaunchAsync();
    }

    private static async Task Later(Func<Task> action)
    {
        await Task.Delay(15);
        await action();
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

/// <summary>The registry pages (models, model, version, lineage) in headless Chromium.</summary>
public sealed class RegistryPagesTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private const string Model = RegistryFixture.Model;

    private static ILocator ModelRows(IPage page) => page.Locator("table[aria-label='Registered models'] tbody tr[data-model]");

    private static ILocator VersionRow(IPage page, string version) => page.Locator($"table[aria-label='Model versions'] tr[data-version='{version}']");

    private static ILocator Graph(IPage page) => page.Locator("svg[aria-label='Lineage graph']");

    [Fact]
    public async Task The_models_list_searches_and_pages_without_console_errors()
    {
        await using var ui = await fixture.NewPageAsync();
        var page = ui.Page;
        Assert.Equal(200, (await page.GotoAsync("/models"))!.Status);
        await Expect(ModelRows(page)).ToHaveCountAsync(25);
        await Expect(ModelRows(page).First).ToHaveAttributeAsync("data-model", "ads-ctr");
        await Expect(page.Locator($"tr[data-model='{Model}']")).ToContainTextAsync("@champion → v2");
        var previous = page.GetByRole(AriaRole.Button, new() { Name = "Previous" });
        var next = page.GetByRole(AriaRole.Button, new() { Name = "Next" });
        await Expect(previous).ToBeDisabledAsync();
        await next.ClickAsync();
        await Expect(ModelRows(page)).ToHaveCountAsync(RegistryFixture.AllModels - 25);
        await Expect(ModelRows(page).Last).ToHaveAttributeAsync("data-model", $"sweep-model-{RegistryFixture.BulkModels - 1:D2}");
        await Expect(page.Locator(".pager")).ToContainTextAsync($"Models 26–{RegistryFixture.AllModels}");
        await Expect(next).ToBeDisabledAsync();
        await previous.ClickAsync();
        await Expect(ModelRows(page)).ToHaveCountAsync(25);

        var search = page.GetByLabel("Search models by name");
        await search.FillAsync("CHURN");
        await search.PressAsync("Enter");
        await Expect(ModelRows(page)).ToHaveCountAsync(1);
        await Expect(ModelRows(page).First).ToContainTextAsync("Version 3");
        await Expect(ModelRows(page).First).ToContainTextAsync("Predicts which customers leave.");
        Assert.Contains("q=CHURN", page.Url, StringComparison.Ordinal);
        await search.FillAsync("no-such-model");
        await search.PressAsync("Enter");
        await Expect(page.Locator("table[aria-label='Registered models'] tbody")).ToContainTextAsync("No registered models match.");
        await search.FillAsync("");
        await search.PressAsync("Enter");
        await Expect(ModelRows(page)).ToHaveCountAsync(25);
        await search.BlurAsync();
        await UiFixture.SaveScreenshotAsync(page, "registry-models");
        ui.AssertNoErrors("models list");
    }

    [Fact]
    public async Task A_model_is_created_renamed_and_deleted_from_the_list_with_confirmations()
    {
        await using var ui = await fixture.NewPageAsync();
        var page = ui.Page;
        await page.GotoAsync("/models");
        await page.GetByText("New model", new() { Exact = true }).ClickAsync();
        await page.GetByLabel("New model name").FillAsync("scratch-model");
        await page.GetByLabel("New model description").FillAsync("for a test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/models/scratch-model$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "scratch-model" })).ToBeVisibleAsync();
        await Expect(page.Locator(".description-text")).ToHaveTextAsync("for a test");

        await page.GotoAsync("/models?q=scratch");
        await Expect(ModelRows(page)).ToHaveCountAsync(1);
        var rename = page.GetByRole(AriaRole.Button, new() { Name = "Rename scratch-model" });
        await rename.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Rename scratch-model" });
        await Expect(dialog.GetByLabel("New name")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(rename).ToBeFocusedAsync();
        await rename.ClickAsync();
        await dialog.GetByLabel("New name").FillAsync("scratch-model-2");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("tr[data-model='scratch-model-2']")).ToHaveCountAsync(1);
        await Expect(page.Locator("tr[data-model='scratch-model']")).ToHaveCountAsync(0);

        // A name that is taken is refused by the server, and the page says why.
        await page.GetByRole(AriaRole.Button, new() { Name = "Rename scratch-model-2" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByLabel("New name").FillAsync(Model);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Alert).First).ToContainTextAsync(Model);

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete scratch-model-2" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Dialog, new() { Name = "Delete scratch-model-2?" });
        await Expect(confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(ModelRows(page)).ToHaveCountAsync(0);
        using var gone = await fixture.Server.GetAsync("registered-models/get?name=scratch-model-2");
        Assert.Equal(404, (int)gone.StatusCode);
    }

    [Fact]
    public async Task Setting_an_alias_and_a_tag_on_the_model_page_shows_them_on_the_page()
    {
        await using var ui = await fixture.NewPageAsync();
        var page = ui.Page;
        await page.GotoAsync($"/models/{Model}");
        await Expect(VersionRow(page, "1")).ToHaveCountAsync(1);
        await Expect(VersionRow(page, "2").Locator("td.aliases")).ToHaveTextAsync("@champion");
        await Expect(VersionRow(page, "1")).ToContainTextAsync("validated=yes");
        await Expect(VersionRow(page, "1").GetByRole(AriaRole.Link, new() { Name = fixture.RunId[..8] })).ToBeVisibleAsync();
        var moved = page.Locator("ol[aria-label='Model history'] li[data-type='ALIAS_SET']").Last;
        await Expect(moved).ToContainTextAsync("Alias @champion moved from version 1 to 2");
        await Expect(moved.GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", $"/models/{Model}/versions/2");
        await Expect(page.Locator("ol[aria-label='Model history'] li").First).ToContainTextAsync("Model created");

        // Keyboard only: type the alias, choose version 3, submit with Enter.
        var alias = page.GetByLabel("Alias", new() { Exact = true });
        await alias.FillAsync("challenger");
        await page.GetByLabel("Version for the alias").SelectOptionAsync("3");
        await alias.PressAsync("Enter");
        await Expect(VersionRow(page, "3").Locator("td.aliases")).ToHaveTextAsync("@challenger");
        await Expect(page.Locator("table[aria-label='Aliases'] tr[data-alias='challenger']")).ToContainTextAsync("Version 3");

        // Setting it again on version 2 moves it.
        await page.GetByLabel("Alias", new() { Exact = true }).FillAsync("challenger");
        await page.GetByLabel("Version for the alias").SelectOptionAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set alias" }).ClickAsync();
        await Expect(VersionRow(page, "2").Locator("td.aliases")).ToContainTextAsync("@challenger");
        await Expect(VersionRow(page, "3").Locator("td.aliases")).ToHaveTextAsync("");

        await page.GetByLabel("Tag key").FillAsync("owner");
        await page.GetByLabel("Tag value").FillAsync("team-retention");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set tag" }).ClickAsync();
        var tag = page.Locator("table[aria-label='Model tags'] tr[data-tag='owner']");
        await Expect(tag).ToContainTextAsync("team-retention");
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit tag owner" }).ClickAsync();
        await Expect(page.GetByLabel("Tag value")).ToBeFocusedAsync();
        await page.GetByLabel("Tag value").FillAsync("team-growth");
        await page.GetByLabel("Tag value").PressAsync("Enter");
        await Expect(tag).ToContainTextAsync("team-growth");
        var model = (await fixture.Server.GetOkAsync($"registered-models/get?name={Model}")).GetProperty("registered_model");
        Assert.Contains(model.GetProperty("tags").EnumerateArray(), t => t.GetProperty("key").GetString() == "owner" && t.GetProperty("value").GetString() == "team-growth");
        await UiFixture.SaveScreenshotAsync(page, "registry-model");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete tag owner" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(tag).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete alias challenger" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(page.Locator("tr[data-alias='challenger']")).ToHaveCountAsync(0);
        ui.AssertNoErrors("model page");
    }

    [Fact]
    public async Task The_version_page_shows_its_history_in_order_its_signature_and_the_lineage_graph()
    {
        await using var ui = await fixture.NewPageAsync();
        var page = ui.Page;
        Assert.Equal(200, (await page.GotoAsync($"/models/{Model}/versions/1"))!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"{Model} · Version 1" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = fixture.RunId })).ToHaveAttributeAsync("href", $"/runs/{fixture.RunId}");
        await Expect(page.Locator("table[aria-label='Signature inputs']")).ToContainTextAsync("X");
        await Expect(page.Locator("table[aria-label='Signature inputs'] tbody tr")).ToHaveCountAsync(2);

        var history = page.Locator("ol[aria-label='Version history'] > li");
        var types = await history.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.type)");
        Assert.Equal(new[] { "MODEL_VERSION_CREATED", "MODEL_VERSION_TAG_SET", "ALIAS_SET", "ENDPOINT_CREATED", "ALIAS_MOVED_AWAY" }, types);
        await Expect(history.Nth(1)).ToContainTextAsync("Tag validated set");
        await Expect(history.Nth(2)).ToContainTextAsync("Alias @champion set");
        await Expect(history.Nth(3)).ToContainTextAsync($"Deployed to endpoint {RegistryFixture.Endpoint}");
        await Expect(history.Nth(4)).ToContainTextAsync("Alias @champion moved to version 2");

        // dataset → run → version → endpoint.
        var graph = Graph(page);
        await Expect(graph.Locator("a.node")).ToHaveCountAsync(4);
        await Expect(graph.Locator("path.edge")).ToHaveCountAsync(3);
        var labels = await graph.Locator("a.node").EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.kind + ':' + n.querySelector('.node-label').textContent)");
        Assert.Equal(new[] { "dataset:churn-2024 (c4u2n)", $"run:{RegistryFixture.RunName}", $"model:{Model} v1", $"endpoint:{RegistryFixture.Endpoint}" }, labels);
        await Expect(graph.Locator("path.edge[data-kind='produced']")).ToHaveAttributeAsync("data-target", $"model:{Model}/1");
        await Expect(graph.Locator("path.edge[data-kind='deployed']")).ToHaveAttributeAsync("data-target", $"endpoint:{RegistryFixture.Endpoint}");
        await Expect(graph.Locator("a.node.root")).ToHaveAttributeAsync("data-kind", "model");
        // Laid out in columns, left to right along the data flow.
        var xs = await graph.Locator("a.node").EvaluateAllAsync<double[]>("nodes => nodes.map(n => n.getBoundingClientRect().x)");
        Assert.True(xs.Zip(xs.Skip(1)).All(p => p.First < p.Second), string.Join(", ", xs));
        await page.Locator("#lineage").ScrollIntoViewIfNeededAsync();
        await UiFixture.SaveScreenshotAsync(page, "registry-version-lineage");
        ui.AssertNoErrors("version page");

        // The graph is usable from the keyboard: Tab reaches the run node, Enter opens the run's page.
        var runNode = graph.Locator("a.node[data-kind='run']");
        await graph.Locator("a.node[data-kind='dataset']").FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(runNode).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex($"/runs/{fixture.RunId}$"));

        // A click on the endpoint node opens the endpoint.
        await page.GoBackAsync();
        await graph.Locator("a.node[data-kind='endpoint']").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/endpoints/{RegistryFixture.Endpoint}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = RegistryFixture.Endpoint })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Tags_description_and_stage_are_edited_on_the_version_page_and_enter_its_history()
    {
        await using var ui = await fixture.NewPageAsync();
        var page = ui.Page;
        await page.GotoAsync($"/models/{Model}/versions/2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add description" }).ClickAsync();
        await page.GetByLabel("Description").FillAsync("Retrained on the 2024 data.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator(".description-text")).ToHaveTextAsync("Retrained on the 2024 data.");

        await page.GetByLabel("Tag key").FillAsync("reviewed_by");
        await page.GetByLabel("Tag value").FillAsync("ada");
        await page.GetByLabel("Tag value").PressAsync("Enter");
        await Expect(page.Locator("table[aria-label='Version tags'] tr[data-tag='reviewed_by']")).ToContainTextAsync("ada");

        await page.GetByLabel("Stage").SelectOptionAsync("Staging");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change stage" }).ClickAsync();
        var history = page.Locator("ol[aria-label='Version history'] > li");
        await Expect(history.Last).ToHaveAttributeAsync("data-type", "MODEL_VERSION_STAGE_CHANGED");
        await Expect(history.Last).ToContainTextAsync("Stage changed to Staging");
        await Expect(page.Locator("ol[aria-label='Version history'] li[data-type='MODEL_VERSION_TAG_SET']")).ToContainTextAsync("reviewed_by");
        await Expect(page.Locator("ol[aria-label='Version history'] li[data-type='MODEL_VERSION_DESCRIPTION_CHANGED']")).ToHaveCountAsync(1);
        var version = (await fixture.Server.GetOkAsync($"model-versions/get?name={Model}&version=2")).GetProperty("model_version");
        Assert.Equal("Staging", version.GetProperty("current_stage").GetString());
        ui.AssertNoErrors("version edits");
    }

    [Fact]
    public async Task The_lineage_page_centres_on_a_run_and_a_missing_node_is_an_inline_error()
    {
        await using var ui = await fixture.NewPageAsync();
        var page = ui.Page;
        await page.GotoAsync($"/lineage?node=run:{fixture.RunId}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Lineage of run {RegistryFixture.RunName}" })).ToBeVisibleAsync();
        // Upstream of the run is its dataset; downstream are the three versions, and the endpoint serving version 1.
        var graph = Graph(page);
        await Expect(graph.Locator("a.node")).ToHaveCountAsync(6);
        await Expect(graph.Locator("a.node[data-kind='model']")).ToHaveCountAsync(3);
        await Expect(graph.Locator("path.edge")).ToHaveCountAsync(5);
        await Expect(graph.Locator("a.node.root")).ToHaveAttributeAsync("data-kind", "run");
        await UiFixture.SaveScreenshotAsync(page, "registry-run-lineage");
        await page.GetByLabel("Direction").SelectOptionAsync("upstream");
        await Expect(graph.Locator("a.node")).ToHaveCountAsync(2);
        Assert.Contains("direction=upstream", page.Url, StringComparison.Ordinal);
        ui.AssertNoErrors("lineage page");

        await page.GotoAsync("/lineage?node=run:ffffffffffffffffffffffffffffffff");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not found");
    }
}
