using System.Text.Json;
using System.Text.RegularExpressions;
using Flightdeck.Cli.Tests.Infrastructure;
using Spectre.Console.Testing;

namespace Flightdeck.Cli.Tests;

public sealed partial class ServerCommandTests
{
    [Fact]
    public async Task Db_upgrade_applies_migrations_once_and_reports_them()
    {
        var dir = Directory.CreateTempSubdirectory("flightdeck-cli-db-").FullName;
        var store = "sqlite:///" + Path.Combine(dir, "store.db").TrimStart('/');

        var first = await CliRunner.RunAsync("db", "upgrade", "--backend-store-uri", store);
        var second = await CliRunner.RunAsync("db", "upgrade", "--backend-store-uri", store, "--json");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Matches(@"Applied 0001_\w+", first.Output);
        Assert.Equal(0, second.ExitCode);
        using var json = JsonDocument.Parse(second.Output);
        Assert.Equal(0, json.RootElement.GetProperty("applied").GetArrayLength());
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task A_bad_backend_store_uri_exits_non_zero_with_one_line()
    {
        var result = await CliRunner.RunAsync("db", "upgrade", "--backend-store-uri", "mysql://nope");

        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith("Error: ", result.Errors);
        Assert.DoesNotContain("   at ", result.Errors);
    }

    [Theory]
    [InlineData("0s", "must be longer than zero")]
    [InlineData("soon", "is not a duration")]
    public async Task A_bad_inference_log_retention_exits_non_zero_before_starting(string retention, string reason)
    {
        var result = await CliRunner.RunAsync("server", "--port", "0", "--inference-log-retention", retention);

        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith("Error: ", result.Errors);
        Assert.Contains(reason, result.Errors);
        Assert.DoesNotContain("listening", result.Output);
    }

    [Fact]
    public async Task Server_prints_its_url_serves_requests_and_stops_cleanly_when_cancelled()
    {
        var dir = Directory.CreateTempSubdirectory("flightdeck-cli-server-").FullName;
        var console = new TestConsole().Width(250);
        using var stop = new CancellationTokenSource();
        var running = CliRunner.RunAsync(
            ["server", "--port", "0", "--backend-store-uri", "sqlite:///" + Path.Combine(dir, "s.db").TrimStart('/'),
                "--artifacts-destination", Path.Combine(dir, "artifacts"), "--gc-older-than", "30d"], stop.Token, console);

        Match listening = Match.Empty;
        for (var i = 0; i < 300 && !listening.Success && !running.IsCompleted; i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            listening = ListeningLine().Match(console.Output);
        }

        Assert.True(listening.Success, $"no URL printed: {console.Output}");
        using var http = new HttpClient();
        var health = await http.GetStringAsync(new Uri(new Uri(listening.Groups["url"].Value), "health"), TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        var result = await running;

        Assert.Equal("OK", health);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Flightdeck stopped.", result.Output);
        Directory.Delete(dir, recursive: true);
    }

    [GeneratedRegex(@"listening on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
