using System.Text.Json;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Cli.Tests.Infrastructure;
using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.Contracts;

namespace Flightdeck.Cli.Tests;

public sealed class ModelsCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A run holding model/ (MLmodel + data/model.zip), and "fraud" with versions 1 and 2 from it, tagged, champion on 1.</summary>
    private static async Task<string> SeedAsync(TestServer server)
    {
        using var client = server.CreateClient();
        await using var run = await client.StartRunAsync("models", cancellationToken: Ct);
        var local = server.CreateLocalFolder("model");
        await File.WriteAllTextAsync(Path.Combine(local, "MLmodel"), "flavors: {}", Ct);
        Directory.CreateDirectory(Path.Combine(local, "data"));
        await File.WriteAllTextAsync(Path.Combine(local, "data", "model.zip"), "zip", Ct);
        await client.UploadArtifactAsync(run.RunId, local, "model", cancellationToken: Ct);
        await client.CreateRegisteredModelAsync("fraud", "Card fraud scorer", new Dictionary<string, string> { ["team"] = "risk" }, Ct);
        await client.CreateRegisteredModelAsync("churn", cancellationToken: Ct);
        await client.CreateModelVersionAsync("fraud", $"runs:/{run.RunId}/model", run.RunId, cancellationToken: Ct);
        await client.CreateModelVersionAsync("fraud", $"runs:/{run.RunId}/model", run.RunId, cancellationToken: Ct);
        await client.SetRegisteredModelAliasAsync("fraud", "champion", "1", Ct);
        await client.TransitionModelVersionStageAsync("fraud", "2", ModelStage.Staging, cancellationToken: Ct);
        return run.RunId;
    }

    [Fact]
    public async Task List_show_and_versions_print_tables_and_json()
    {
        await using var server = await TestServer.StartAsync();
        var runId = await SeedAsync(server);
        var uri = server.BaseAddress.ToString();

        var list = await CliRunner.RunAsync("models", "list", "--tracking-uri", uri);
        var filtered = await CliRunner.RunAsync("models", "list", "--filter", "tags.team = 'risk'", "--json", "--tracking-uri", uri);
        var limited = await CliRunner.RunAsync("models", "list", "--order-by", "name DESC", "--max-results", "1", "--json", "--tracking-uri", uri);
        var show = await CliRunner.RunAsync("models", "show", "fraud", "--tracking-uri", uri);
        var showJson = await CliRunner.RunAsync("models", "show", "fraud", "--json", "--tracking-uri", uri);
        var versions = await CliRunner.RunAsync("models", "versions", "fraud", "--tracking-uri", uri);
        var versionsJson = await CliRunner.RunAsync("models", "versions", "fraud", "--json", "--tracking-uri", uri);

        Assert.All(new[] { list, filtered, limited, show, showJson, versions, versionsJson }, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Contains("│ Name", list.Output);
        Assert.Contains("churn", list.Output);
        Assert.Contains("champion → 1", list.Output);
        Assert.Equal(["fraud"], Parse(filtered.Output, FlightdeckJsonContext.Default.SearchRegisteredModelsResponse).RegisteredModels.Select(m => m.Name));
        Assert.Equal(["fraud"], Parse(limited.Output, FlightdeckJsonContext.Default.SearchRegisteredModelsResponse).RegisteredModels.Select(m => m.Name));
        Assert.Contains("Card fraud scorer", show.Output);
        Assert.Contains("Staging", show.Output);
        Assert.Contains("risk", show.Output);
        var model = Parse(showJson.Output, FlightdeckJsonContext.Default.RegisteredModelResponse).RegisteredModel;
        Assert.Equal([new RegisteredModelAlias("champion", "1")], model.Aliases);
        Assert.Contains("\"last_updated_timestamp\"", showJson.Output);
        Assert.Contains(runId, versions.Output);
        Assert.True(versions.Output.IndexOf("│ 2 ", StringComparison.Ordinal) < versions.Output.IndexOf("│ 1 ", StringComparison.Ordinal), versions.Output);
        Assert.Equal(["2", "1"], Parse(versionsJson.Output, FlightdeckJsonContext.Default.SearchModelVersionsResponse).ModelVersions.Select(v => v.Version));
    }

    [Fact]
    public async Task Unknown_models_and_bad_input_give_the_documented_exit_codes()
    {
        await using var server = await TestServer.StartAsync();
        await SeedAsync(server);
        var uri = server.BaseAddress.ToString();

        var showMissing = await CliRunner.RunAsync("models", "show", "nope", "--tracking-uri", uri);
        var versionsMissing = await CliRunner.RunAsync("models", "versions", "nope", "--tracking-uri", uri);
        var badFilter = await CliRunner.RunAsync("models", "list", "--filter", "name ==", "--tracking-uri", uri);
        var unreachable = await CliRunner.RunAsync("models", "list", "--tracking-uri", "http://127.0.0.1:1");

        Assert.Equal(ExitCodes.NotFound, showMissing.ExitCode);
        Assert.Contains("Error: Registered Model with name=nope not found", showMissing.Errors);
        Assert.Equal(ExitCodes.NotFound, versionsMissing.ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, badFilter.ExitCode);
        Assert.Equal(ExitCodes.Unreachable, unreachable.ExitCode);
    }

    [Fact]
    public async Task Aliases_are_set_moved_and_deleted()
    {
        await using var server = await TestServer.StartAsync();
        await SeedAsync(server);
        var uri = server.BaseAddress.ToString();

        var moved = await CliRunner.RunAsync("models", "alias", "set", "fraud", "champion", "2", "--tracking-uri", uri);
        var added = await CliRunner.RunAsync("models", "alias", "set", "fraud", "challenger", "1", "--json", "--tracking-uri", uri);
        var deleted = await CliRunner.RunAsync("models", "alias", "delete", "fraud", "challenger", "--tracking-uri", uri);
        var deletedAgain = await CliRunner.RunAsync("models", "alias", "delete", "fraud", "challenger", "--tracking-uri", uri);
        var noVersion = await CliRunner.RunAsync("models", "alias", "set", "fraud", "champion", "9", "--tracking-uri", uri);
        var reserved = await CliRunner.RunAsync("models", "alias", "set", "fraud", "latest", "1", "--tracking-uri", uri);
        var missingArgument = await CliRunner.RunAsync("models", "alias", "set", "fraud", "champion", "--tracking-uri", uri);

        Assert.True(moved.ExitCode == 0, moved.ToString());
        Assert.Contains("Alias 'champion' of model 'fraud' now points at version 2.", moved.Output);
        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Equal("1", Parse(added.Output, FlightdeckJsonContext.Default.ModelVersionResponse).ModelVersion.Version);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Contains("Deleted alias 'challenger' of model 'fraud' (it pointed at version 1).", deleted.Output);
        Assert.Equal(ExitCodes.NotFound, deletedAgain.ExitCode);
        Assert.Equal(ExitCodes.NotFound, noVersion.ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, reserved.ExitCode);
        Assert.Contains("reserved", reserved.Errors);
        Assert.Equal(ExitCodes.InvalidInput, missingArgument.ExitCode);
        using var client = server.CreateClient();
        Assert.Equal("2", (await client.GetModelVersionByAliasAsync("fraud", "champion", Ct)).Version);
    }

    [Fact]
    public async Task Download_resolves_the_uri_and_writes_the_model_folder()
    {
        await using var server = await TestServer.StartAsync();
        var runId = await SeedAsync(server);
        var uri = server.BaseAddress.ToString();
        var byAlias = server.CreateLocalFolder("by-alias");
        var byRun = Path.Combine(server.WorkDir, "local", "by-run", "nested");

        var alias = await CliRunner.RunAsync("models", "download", "models:/fraud@champion", "--dst", byAlias, "--json", "--tracking-uri", uri);
        var run = await CliRunner.RunAsync("models", "download", $"runs:/{runId}/model", "-d", byRun, "--tracking-uri", uri);
        var malformed = await CliRunner.RunAsync("models", "download", "models:/fraud", "--dst", byAlias, "--tracking-uri", uri);
        var noDestination = await CliRunner.RunAsync("models", "download", "models:/fraud/1", "--tracking-uri", uri);
        var noStage = await CliRunner.RunAsync("models", "download", "models:/fraud/Production", "--dst", byAlias, "--tracking-uri", uri);

        Assert.True(alias.ExitCode == 0, alias.ToString());
        using (var result = JsonDocument.Parse(alias.Output))
        {
            Assert.Equal("1", result.RootElement.GetProperty("version").GetString());
            Assert.Equal(runId, result.RootElement.GetProperty("run_id").GetString());
            Assert.Equal(byAlias, result.RootElement.GetProperty("local_path").GetString());
            Assert.Equal(14, result.RootElement.GetProperty("bytes").GetInt64());
        }

        Assert.Equal("flavors: {}", await File.ReadAllTextAsync(Path.Combine(byAlias, "MLmodel"), Ct));
        Assert.Equal("zip", await File.ReadAllTextAsync(Path.Combine(byAlias, "data", "model.zip"), Ct));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Downloaded run {runId}, 14 B, to {byRun}.", run.Output);
        Assert.True(File.Exists(Path.Combine(byRun, "MLmodel")));
        Assert.Equal(ExitCodes.InvalidInput, malformed.ExitCode);
        Assert.Contains("Malformed model URI 'models:/fraud'", malformed.Errors);
        Assert.Equal(ExitCodes.InvalidInput, noDestination.ExitCode);
        Assert.Contains("--dst is required", noDestination.Errors);
        Assert.Equal(ExitCodes.NotFound, noStage.ExitCode);
    }

    [Fact]
    public async Task History_prints_the_timeline_and_which_version_an_alias_held()
    {
        await using var server = await TestServer.StartAsync();
        await SeedAsync(server);
        var uri = server.BaseAddress.ToString();
        await Task.Delay(20, Ct);
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(20, Ct);
        await CliRunner.RunAsync("models", "alias", "set", "fraud", "champion", "2", "--tracking-uri", uri);

        var timeline = await CliRunner.RunAsync("models", "history", "fraud", "--tracking-uri", uri);
        var timelineJson = await CliRunner.RunAsync("models", "history", "fraud", "--json", "--tracking-uri", uri);
        var then = await CliRunner.RunAsync("models", "history", "fraud", "--alias", "champion", "--at", between.ToString("O"), "--tracking-uri", uri);
        var thenMs = await CliRunner.RunAsync("models", "history", "fraud", "--alias", "champion", "--at",
            between.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", "--tracking-uri", uri);
        var now = await CliRunner.RunAsync("models", "history", "fraud", "--alias", "champion", "--tracking-uri", uri);
        var before = await CliRunner.RunAsync("models", "history", "fraud", "--alias", "champion", "--at", "2000-01-01T00:00:00Z", "--tracking-uri", uri);
        var atAlone = await CliRunner.RunAsync("models", "history", "fraud", "--at", "2000-01-01", "--tracking-uri", uri);
        var badTime = await CliRunner.RunAsync("models", "history", "fraud", "--alias", "champion", "--at", "yesterday-ish", "--tracking-uri", uri);

        Assert.All(new[] { timeline, timelineJson, then, thenMs, now }, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Contains(RegistryEventType.AliasSet, timeline.Output);
        Assert.Contains(RegistryEventType.VersionStageChanged, timeline.Output);
        Assert.Contains("current_stage=Staging", timeline.Output);
        var events = Parse(timelineJson.Output, FlightdeckJsonContext.Default.RegistryHistoryResponse).Events;
        Assert.Equal(RegistryEventType.ModelCreated, events[0].EventType);
        Assert.Equal(2, events.Count(e => e.EventType == RegistryEventType.AliasSet));
        Assert.Contains("pointed at version 1", then.Output);
        Assert.Equal("1", Parse(thenMs.Output, FlightdeckJsonContext.Default.AliasAtResponse).Version);
        Assert.Contains("pointed at version 2", now.Output);
        Assert.Equal(ExitCodes.NotFound, before.ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, atAlone.ExitCode);
        Assert.Contains("--at needs --alias", atAlone.Errors);
        Assert.Equal(ExitCodes.InvalidInput, badTime.ExitCode);
    }

    private static T Parse<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) => JsonSerializer.Deserialize(json, type)!;
}
