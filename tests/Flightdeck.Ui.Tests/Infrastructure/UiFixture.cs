using Microsoft.Playwright;

namespace Flightdeck.Ui.Tests.Infrastructure;

/// <summary>One seeded server and one browser for all the page tests of a class.</summary>
public sealed class UiFixture : IAsyncLifetime
{
    private SeededServer? _server;
    private Browser? _browser;

    public SeededServer Seeded => _server ?? throw new InvalidOperationException("not started");

    public Uri BaseAddress => Seeded.Server.BaseAddress;

    public async ValueTask InitializeAsync()
    {
        _server = await SeededServer.StartAsync();
        _browser = await Browser.LaunchAsync();
    }

    public Task<UiPage> NewPageAsync() => _browser!.NewPageAsync(BaseAddress);

    /// <summary>
    /// Saves a screenshot of the viewport: into docs/screenshots when FLIGHTDECK_UPDATE_SCREENSHOTS=1 (the committed
    /// ones are made that way), otherwise next to the test binaries, so a test run leaves the repository untouched.
    /// </summary>
    public static async Task<byte[]> SaveScreenshotAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("FLIGHTDECK_UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(RepositoryRoot(), "docs", "screenshots")
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        return await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png") });
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Flightdeck.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Flightdeck.slnx not found above " + AppContext.BaseDirectory);
    }

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
