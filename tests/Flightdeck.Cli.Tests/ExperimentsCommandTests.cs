using System.Text.Json;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Cli.Tests.Infrastructure;
using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.Contracts;

namespace Flightdeck.Cli.Tests;

public sealed class ExperimentsCommandTests
{
    [Fact]
    public async Task Create_list_get_rename_delete_and_restore_print_tables_and_messages()
    {
        await using var server = await TestServer.StartAsync();
        var uri = server.BaseAddress.ToString();

        var created = await CliRunner.RunAsync("experiments", "create", "vision", "--tag", "team=cv", "--tracking-uri", uri);
        var id = created.Output.Split("with id ")[1].TrimEnd().TrimEnd('.');
        var list = await CliRunner.RunAsync("experiments", "list", "--tracking-uri", uri);
        var get = await CliRunner.RunAsync("experiments", "get", "vision", "--tracking-uri", uri);
        var rename = await CliRunner.RunAsync("experiments", "rename", id, "vision-v2", "--tracking-uri", uri);
        var delete = await CliRunner.RunAsync("experiments", "delete", "vision-v2", "--tracking-uri", uri);
        var deletedOnly = await CliRunner.RunAsync("experiments", "list", "--view", "deleted", "--tracking-uri", uri);
        var restore = await CliRunner.RunAsync("experiments", "restore", id, "--tracking-uri", uri);

        Assert.All(new[] { created, list, get, rename, delete, deletedOnly, restore }, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Contains("Created experiment 'vision' with id", created.Output);
        Assert.Contains("│ ID", list.Output);
        Assert.Contains("vision", list.Output);
        Assert.Contains("Default", list.Output);
        Assert.Contains("team", get.Output);
        Assert.Contains("cv", get.Output);
        Assert.Contains($"Renamed experiment {id} from 'vision' to 'vision-v2'.", rename.Output);
        Assert.Contains($"Deleted experiment {id} ('vision-v2').", delete.Output);
        Assert.Contains("vision-v2", deletedOnly.Output);
        Assert.DoesNotContain("Default", deletedOnly.Output);
        Assert.Contains($"Restored experiment {id}", restore.Output);
    }

    [Fact]
    public async Task Json_output_is_the_api_dto_in_snake_case()
    {
        await using var server = await TestServer.StartAsync();
        var uri = server.BaseAddress.ToString();
        for (var i = 0; i < 3; i++)
        {
            await CliRunner.RunAsync("experiments", "create", $"exp-{i}", "--tracking-uri", uri);
        }

        var search = await CliRunner.RunAsync("experiments", "search", "--filter", "name LIKE 'exp-%'", "--order-by", "name DESC",
            "--max-results", "2", "--json", "--tracking-uri", uri);
        var get = await CliRunner.RunAsync("experiments", "get", "exp-0", "--json", "--tracking-uri", uri);

        Assert.Equal(0, search.ExitCode);
        var page = JsonSerializer.Deserialize(search.Output, FlightdeckJsonContext.Default.SearchExperimentsResponse)!;
        Assert.Equal(["exp-2", "exp-1"], page.Experiments.Select(e => e.Name));
        Assert.Contains("\"experiment_id\"", search.Output);
        Assert.Contains("\"lifecycle_stage\": \"active\"", search.Output);
        Assert.Equal("exp-0", JsonSerializer.Deserialize(get.Output, FlightdeckJsonContext.Default.GetExperimentResponse)!.Experiment.Name);
    }

    [Fact]
    public async Task A_missing_experiment_exits_3_with_one_clear_line()
    {
        await using var server = await TestServer.StartAsync();

        var result = await CliRunner.RunAsync("experiments", "get", "no-such-thing", "--tracking-uri", server.BaseAddress.ToString());

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Equal("Error: No experiment with id or name 'no-such-thing'.", result.Errors.Trim());
        Assert.Empty(result.Output.Trim());
    }

    [Fact]
    public async Task A_duplicate_name_and_an_invalid_filter_exit_with_the_servers_message()
    {
        await using var server = await TestServer.StartAsync();
        var uri = server.BaseAddress.ToString();
        await CliRunner.RunAsync("experiments", "create", "dup", "--tracking-uri", uri);

        var duplicate = await CliRunner.RunAsync("experiments", "create", "dup", "--tracking-uri", uri);
        var badFilter = await CliRunner.RunAsync("experiments", "search", "--filter", "name ~~ 'x'", "--tracking-uri", uri);

        Assert.Equal(ExitCodes.Error, duplicate.ExitCode);
        Assert.StartsWith("Error: ", duplicate.Errors);
        Assert.Contains("RESOURCE_ALREADY_EXISTS", duplicate.Errors);
        Assert.Equal(ExitCodes.InvalidInput, badFilter.ExitCode);
        Assert.Single(badFilter.Errors.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", badFilter.Errors);
    }

    [Fact]
    public async Task An_unreachable_server_exits_4_without_a_stack_trace()
    {
        string uri;
        await using (var server = await TestServer.StartAsync())
        {
            uri = server.BaseAddress.ToString();
        }

        var result = await CliRunner.RunAsync("experiments", "list", "--tracking-uri", uri);

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.StartsWith($"Error: Cannot reach the tracking server at {uri}", result.Errors);
        Assert.Single(result.Errors.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("experiments", "list", "--view", "sideways")]
    [InlineData("experiments", "list", "--max-results", "0")]
    [InlineData("experiments", "list", "--no-such-option")]
    [InlineData("experiments", "get")]
    [InlineData("gc", "--older-than", "soon")]
    [InlineData("experiments", "list", "--tracking-uri", "file:///tmp/mlruns")]
    public async Task Bad_command_lines_exit_2_with_one_line(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);

        Assert.True(result.ExitCode == ExitCodes.InvalidInput, result.ToString());
        Assert.StartsWith("Error: ", result.Errors);
        Assert.DoesNotContain("   at ", result.Errors + result.Output);
    }
}
