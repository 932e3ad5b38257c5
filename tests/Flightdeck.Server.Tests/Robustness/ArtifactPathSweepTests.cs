using System.Net;
using System.Text;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Robustness;

/// <summary>
/// Hostile paths against the proxied artifact service (GET/PUT/DELETE /api/2.0/mlflow-artifacts/artifacts/{path}) and
/// the listing: never a 5xx, errors as JSON, and nothing read or written outside the artifact root.
/// </summary>
public sealed class ArtifactPathSweepTests
{
    private const string Secret = "flightdeck-secret-outside-the-root";

    private static readonly string[] HostilePaths =
    [
        "..", "../", "../secret.txt", "../../secret.txt", "a/../../secret.txt", "a/b/../../../secret.txt", "./../secret.txt",
        "%2e%2e/secret.txt", "%2e%2e%2fsecret.txt", "..%2fsecret.txt", "%252e%252e%252fsecret.txt", "..%5csecret.txt",
        "..\\secret.txt", "a\\..\\..\\secret.txt", "/etc/passwd", "//etc/passwd", "%2fetc%2fpasswd", "C:/Windows/win.ini",
        "a/%00/b", "a%00.txt", "a/./b", ".", "./", "a//b", "a/b/", "%20", "...", "....//secret.txt", "~/secret.txt",
        "κλειδί/🔥.txt", "a/" + new string('x', 300) + ".txt", string.Join("/", Enumerable.Repeat("d", 400)) + "/f",
        "a?b=c", "a#b", "a;b", "a:b", "a|b", "a*b", "con", "nul.txt", "-rf", "$(touch pwned)",
    ];

    [Fact]
    public async Task Hostile_artifact_paths_never_escape_the_root_nor_get_a_5xx()
    {
        await using var server = await TestServer.StartAsync();
        var root = server.Options.ArtifactsDestination;
        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(server.WorkDir, "secret.txt"), Secret);
        var outsideBefore = FilesOutside(server.WorkDir, root);
        var runner = await FuzzRunner.StartAsync(server);
        await using (runner)
        {
            var random = new Random(1729);
            foreach (var path in HostilePaths)
            {
                foreach (var prefix in new[] { "api/2.0/mlflow-artifacts/artifacts/", "ajax-api/2.0/mlflow-artifacts/artifacts/" })
                {
                    var escaped = path.Contains('%', StringComparison.Ordinal) ? path : string.Join("/", path.Split('/').Select(Uri.EscapeDataString));
                    var body = new byte[random.Next(0, 2048)];
                    random.NextBytes(body);
                    await runner.SendAsync(new FuzzCase("put " + path, "PUT", prefix + escaped, body, MustFail: false) { ContentType = "application/octet-stream" });
                    var (status, text) = await runner.SendAsync(new FuzzCase("get " + path, "GET", prefix + escaped, null, MustFail: false));
                    Assert.False(status == HttpStatusCode.OK && text.Contains(Secret, StringComparison.Ordinal), $"GET {path} read a file outside the root");
                    await runner.SendAsync(new FuzzCase("list " + path, "GET", prefix[..^1] + "?path=" + Uri.EscapeDataString(path), null, MustFail: false));
                    await runner.SendAsync(new FuzzCase("delete " + path, "DELETE", prefix + escaped, null, MustFail: false));
                }

                var runId = await Tracking.RunsTests.CreateRunAsync(server);
                await runner.RefreshAsync();
                var (getStatus, getText) = await runner.SendAsync(new FuzzCase("get-artifact " + path, "GET",
                    $"get-artifact?run_id={runId}&path={Uri.EscapeDataString(path)}", null, MustFail: false));
                Assert.False(getStatus == HttpStatusCode.OK && getText.Contains(Secret, StringComparison.Ordinal), $"get-artifact {path} read outside the root");
                await runner.SendAsync(new FuzzCase("artifacts/list " + path, "GET",
                    $"api/2.0/mlflow/artifacts/list?run_id={runId}&path={Uri.EscapeDataString(path)}", null, MustFail: false));
            }

            Assert.True(runner.Failures.Count == 0, string.Join("\n", runner.Failures.Take(40)));
        }

        Assert.Equal(outsideBefore, FilesOutside(server.WorkDir, root));
        Assert.Equal(Secret, await File.ReadAllTextAsync(Path.Combine(server.WorkDir, "secret.txt"), Encoding.UTF8));
    }

    /// <summary>Files of the work folder that are not under the artifact root, nor the SQLite store's own files.</summary>
    private static List<string> FilesOutside(string workDir, string root) =>
        Directory.EnumerateFiles(workDir, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Where(f => !Path.GetFileName(f).StartsWith("flightdeck.db", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
}
