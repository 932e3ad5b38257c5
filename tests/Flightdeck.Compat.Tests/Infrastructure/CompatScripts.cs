namespace Flightdeck.Compat.Tests.Infrastructure;

/// <summary>
/// Where the foreign client scripts live: in the source tree next to this project, so that js/node_modules
/// (installed by `npm ci` from the committed package-lock.json) sits beside them.
/// </summary>
public static class CompatScripts
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static string ProjectDirectory { get; } = FindProjectDirectory();

    public static string JsDirectory => Path.Combine(ProjectDirectory, "js");

    public static string PythonDirectory => Path.Combine(ProjectDirectory, "python");

    /// <summary>Installs the pinned npm client with `npm ci` when node_modules is missing (a fresh checkout).</summary>
    public static async Task EnsureNodeModulesAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(JsDirectory, "node_modules", "mlflow", "package.json")))
            {
                return;
            }

            var result = await ExternalProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], JsDirectory, TimeSpan.FromMinutes(5));
            Assert.True(result.ExitCode == 0, $"npm ci in {JsDirectory} failed: {result.Describe()}");
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static string FindProjectDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Flightdeck.Compat.Tests");
            if (File.Exists(Path.Combine(candidate, "Flightdeck.Compat.Tests.csproj")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"tests/Flightdeck.Compat.Tests not found above {AppContext.BaseDirectory}.");
    }
}
