using System.Globalization;
using Microsoft.Playwright;

namespace Flightdeck.Bench.Ui;

/// <summary>
/// Loads a page REPS times in a fresh headless Chromium context each (no cache) and reads the ready marker the app sets
/// on &lt;html data-ready-NAME&gt;: milliseconds from navigation start to that moment. For the runs table, the rows exist
/// then and the page answers input right after (the probe checks a click reaches a row checkbox).
/// </summary>
internal static class PageProbe
{
    private static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-quic", "--disable-default-apps", "--disable-extensions",
    ];

    public static async Task<int> RunAsync(string url, string marker, int reps, CancellationToken ct)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = Flags,
        });
        var times = new List<double>();
        var first = 0.0;
        for (var rep = 0; rep <= reps; rep++)
        {
            ct.ThrowIfCancellationRequested();
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
            var page = await context.NewPageAsync();
            var errors = new List<string>();
            page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
            await page.GotoAsync(url);
            var attribute = $"data-ready-{marker}";
            await page.WaitForSelectorAsync($"html[{attribute}]", new PageWaitForSelectorOptions { Timeout = 120_000, State = WaitForSelectorState.Attached });
            var ms = double.Parse((await page.GetAttributeAsync("html", attribute))!, CultureInfo.InvariantCulture);
            var detail = await page.EvaluateAsync<string>(
                "() => `rows=${document.querySelectorAll('tbody tr').length} charts=${document.querySelectorAll('figure.chart[data-state=loaded] canvas').length}`");
            if (marker == "runs-table")
            {
                // Interactive: a click on the first row's checkbox is handled at once.
                var box = page.Locator("tbody tr[data-run-id] input[type=checkbox]").First;
                await box.CheckAsync(new LocatorCheckOptions { Timeout = 5000 });
            }

            // The first load warms the server's JIT and caches as any long-running server is warm; it is not counted.
            Console.WriteLine($"REP={rep}{(rep == 0 ? " (warm-up)" : "")} MS={ms:F0} {detail} ERRORS={errors.Count}");
            if (rep > 0)
            {
                times.Add(ms);
            }
            else
            {
                first = ms;
            }
        }

        // The warm-up load, apart: the first view after the server started (cold JIT, empty caches).
        Console.WriteLine($"FIRST_MS={first:F0}");
        times.Sort();
        Console.WriteLine($"MEDIAN_MS={times[times.Count / 2]:F0}");
        Console.WriteLine($"MIN_MS={times[0]:F0}");
        Console.WriteLine($"MAX_MS={times[^1]:F0}");
        return 0;
    }
}
