using System.Text.Json;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Cli.Tests.Infrastructure;
using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.Contracts;

namespace Flightdeck.Cli.Tests;

public sealed class RunsCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Three runs in experiment "training", logged through the SDK: r0..r2 with acc 0.1, 0.2, 0.3.</summary>
    private static async Task<List<string>> SeedAsync(TestServer server)
    {
        using var client = server.CreateClient();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await client.RunAsync("training", async run =>
            {
                ids.Add(run.RunId);
                run.LogParam("lr", $"0.0{i + 1}");
                run.LogMetric("acc", (i + 1) / 10.0, step: 1);
                run.SetTag("seed", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await Task.CompletedTask;
            }, runName: $"r{i}", cancellationToken: Ct);
        }

        return ids;
    }

    [Fact]
    public async Task Runs_search_filters_orders_limits_and_prints_json()
    {
        await using var server = await TestServer.StartAsync();
        await SeedAsync(server);
        var uri = server.BaseAddress.ToString();

        var table = await CliRunner.RunAsync("runs", "list", "--experiment", "training", "--tracking-uri", uri);
        var json = await CliRunner.RunAsync("runs", "search", "-e", "training", "--filter", "metrics.acc > 0.15", "--order-by", "metrics.acc DESC",
            "--order-by", "attributes.run_name", "--max-results", "1", "--json", "--tracking-uri", uri);

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("│ Run ID", table.Output);
        Assert.Contains("FINISHED", table.Output);
        Assert.All(new[] { "r0", "r1", "r2" }, name => Assert.Contains(name, table.Output));
        Assert.True(json.ExitCode == 0, json.ToString());
        var runs = JsonSerializer.Deserialize(json.Output, FlightdeckJsonContext.Default.SearchRunsResponse)!.Runs;
        Assert.Equal("r2", Assert.Single(runs).Info.RunName);
        Assert.Contains("\"run_name\": \"r2\"", json.Output);
    }

    [Fact]
    public async Task Runs_get_shows_params_metrics_and_tags()
    {
        await using var server = await TestServer.StartAsync();
        var ids = await SeedAsync(server);

        var result = await CliRunner.RunAsync("runs", "get", ids[1], "--tracking-uri", server.BaseAddress.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(ids[1], result.Output);
        Assert.Contains("0.02", result.Output);
        Assert.Contains("0.2 (1)", result.Output);
        Assert.Contains("seed", result.Output);
        Assert.Contains("FINISHED", result.Output);
    }

    [Fact]
    public async Task Runs_delete_and_restore_change_the_view_they_appear_in()
    {
        await using var server = await TestServer.StartAsync();
        var ids = await SeedAsync(server);
        var uri = server.BaseAddress.ToString();

        var delete = await CliRunner.RunAsync("runs", "delete", ids[0], "--tracking-uri", uri);
        var deleted = await CliRunner.RunAsync("runs", "list", "-e", "training", "--view", "deleted", "--json", "--tracking-uri", uri);
        var restore = await CliRunner.RunAsync("runs", "restore", ids[0], "--json", "--tracking-uri", uri);

        Assert.Contains($"Deleted run {ids[0]} ('r0').", delete.Output);
        Assert.Equal([ids[0]], JsonSerializer.Deserialize(deleted.Output, FlightdeckJsonContext.Default.SearchRunsResponse)!.Runs.Select(r => r.Info.RunId));
        Assert.Equal(LifecycleStage.Active, JsonSerializer.Deserialize(restore.Output, FlightdeckJsonContext.Default.RunResponse)!.Run.Info.LifecycleStage);
    }

    [Fact]
    public async Task Errors_of_runs_commands_have_their_exit_codes()
    {
        await using var server = await TestServer.StartAsync();
        await SeedAsync(server);
        var uri = server.BaseAddress.ToString();

        var missingRun = await CliRunner.RunAsync("runs", "get", "0123456789abcdef0123456789abcdef", "--tracking-uri", uri);
        var missingExperiment = await CliRunner.RunAsync("runs", "list", "-e", "nope", "--tracking-uri", uri);
        var badFilter = await CliRunner.RunAsync("runs", "search", "-e", "training", "--filter", "metrics.acc >>> 1", "--tracking-uri", uri);
        var noExperiment = await CliRunner.RunAsync("runs", "list", "--tracking-uri", uri);

        Assert.Equal(ExitCodes.NotFound, missingRun.ExitCode);
        Assert.Equal(ExitCodes.NotFound, missingExperiment.ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, badFilter.ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, noExperiment.ExitCode);
        Assert.All(new[] { missingRun, missingExperiment, badFilter, noExperiment }, r =>
        {
            Assert.StartsWith("Error: ", r.Errors);
            Assert.Single(r.Errors.Trim().Split('\n'));
        });
    }

    [Fact]
    public async Task Gc_purges_deleted_runs_and_reports_them()
    {
        await using var server = await TestServer.StartAsync();
        var ids = await SeedAsync(server);
        var uri = server.BaseAddress.ToString();
        await CliRunner.RunAsync("runs", "delete", ids[2], "--tracking-uri", uri);

        var gc = await CliRunner.RunAsync("gc", "--older-than", "0s", "--json", "--tracking-uri", uri);
        var after = await CliRunner.RunAsync("runs", "get", ids[2], "--tracking-uri", uri);

        Assert.True(gc.ExitCode == 0, gc.ToString());
        Assert.Equal([ids[2]], JsonSerializer.Deserialize(gc.Output, FlightdeckJsonContext.Default.GcResponse)!.DeletedRunIds);
        Assert.Equal(ExitCodes.NotFound, after.ExitCode);
    }
}
