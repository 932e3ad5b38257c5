using System.Text.Json;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Cli.Tests.Infrastructure;
using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.Contracts;
using Flightdeck.Serving.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Flightdeck.Cli.Tests;

public sealed class EndpointsCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_deploy_status_invoke_promote_history_export_and_delete()
    {
        await using var server = await TestServer.StartAsync();
        await TinyModelRegistry.RegisterAsync(server, versions: 2, cancellationToken: Ct);
        var uri = server.BaseAddress.ToString();
        var data = Path.Combine(server.CreateLocalFolder("data"), "rows.json");
        await File.WriteAllTextAsync(data, Payloads.DataframeSplit(TinyModel.Generate(2, seed: 3)), Ct);

        var created = await CliRunner.RunAsync("endpoints", "create", "scorer", "--model", "clf", "--alias", "champion", "--max-batch-size", "16",
            "--tracking-uri", uri);
        var deployed = await CliRunner.RunAsync("endpoints", "deploy", "scorer", "--version", "2", "--strategy", "canary", "--steps", "10,50,100",
            "--bake", "10m", "--max-error-rate", "0.02", "--max-p99", "50ms", "--max-psi", "0.3", "--tracking-uri", uri);
        var list = await CliRunner.RunAsync("endpoints", "list", "--tracking-uri", uri);
        var status = await CliRunner.RunAsync("endpoints", "status", "scorer", "--tracking-uri", uri);
        var statusJson = await CliRunner.RunAsync("endpoints", "status", "scorer", "--json", "--tracking-uri", uri);
        var invoked = await CliRunner.RunAsync("endpoints", "invoke", "scorer", "--data", data, "--pin-version", "2", "--tracking-uri", uri);
        var export = Path.Combine(server.WorkDir, "k8s");
        var exported = await CliRunner.RunAsync("endpoints", "export-k8s", "scorer", "--output", export, "--image", "registry.local/flightdeck:1",
            "--replicas", "3", "--namespace", "ml", "--tracking-uri", uri);
        var promoted = await CliRunner.RunAsync("endpoints", "promote", "scorer", "--reason", "canary looks good", "--tracking-uri", uri);
        var history = await CliRunner.RunAsync("endpoints", "history", "scorer", "--tracking-uri", uri);
        var historyJson = await CliRunner.RunAsync("endpoints", "history", "scorer", "--max-results", "2", "--json", "--tracking-uri", uri);
        var deleted = await CliRunner.RunAsync("endpoints", "delete", "scorer", "--tracking-uri", uri);
        var gone = await CliRunner.RunAsync("endpoints", "status", "scorer", "--tracking-uri", uri);

        Assert.All(new[] { created, deployed, list, status, statusJson, invoked, exported, promoted, history, historyJson, deleted },
            r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Contains("Created endpoint 'scorer' serving clf v1 100%.", created.Output);
        Assert.Contains("Rolling clf v2 out to endpoint 'scorer' (canary, steps 10,50,100%, bake 600s", deployed.Output);
        Assert.Contains("clf v1 90% · v2 10% (candidate)", list.Output);
        Assert.Contains("UPDATING", list.Output);

        // status: the routes with their bars, the rollout with its guardrails, the recent events
        Assert.Contains("│ clf   │ 1       │ LIVE      │ 90%    │ ██████████████████░░ │", status.Output);
        Assert.Contains("│ clf   │ 2       │ CANDIDATE │ 10%    │ ██░░░░░░░░░░░░░░░░░░ │", status.Output);
        Assert.Contains("canary", status.Output);
        Assert.Contains("1/3: 10%", status.Output);
        Assert.Contains("error rate ≤ 0.02, p99 ≤ 50 ms, PSI ≤ 0.3", status.Output);
        Assert.Contains("ROLLOUT_STARTED", status.Output);
        var endpoint = JsonSerializer.Deserialize(statusJson.Output, EndpointJsonContext.Default.EndpointResponse)!.Endpoint;
        Assert.Equal(16, endpoint.Settings.MaxBatchSize);
        Assert.Equal(50, endpoint.Rollout!.Guardrails.MaxP99LatencyMs);
        Assert.Equal(600, endpoint.Rollout.BakeSeconds);

        Assert.Contains("Served by version 2:", invoked.Output);
        Assert.Contains("\"predictions\"", invoked.Output);

        // export-k8s: the endpoint's weights and versions, read back from the YAML
        Assert.Contains("kubectl apply -k", exported.Output);
        Assert.Contains("--serving-tracking-uri", exported.Output); // the test server is on loopback
        var httpRoute = YamlTree.Load(Path.Combine(export, "scorer-httproute.yaml"));
        var split = httpRoute.Items("spec", "rules")[^1];
        Assert.Equal(endpoint.Routes.ToDictionary(r => $"scorer-v{r.Version}", r => r.Weight),
            split.Items("backendRefs").ToDictionary(b => b.Text("name"), b => int.Parse(b.Text("weight"))));
        foreach (var route in endpoint.Routes)
        {
            var deployment = YamlTree.Load(Path.Combine(export, $"scorer-v{route.Version}-deployment.yaml"));
            var container = deployment.At("spec", "template", "spec", "containers", 0);
            Assert.Equal("registry.local/flightdeck:1", container.Text("image"));
            Assert.Equal($"models:/clf/{route.Version}", container.Text("args", 2));
            Assert.Contains("--max-batch-size", container.Items("args").Select(a => ((YamlScalarNode)a).Value));
            Assert.Equal(uri.TrimEnd('/'), container.Text("env", 0, "value"));
            Assert.Equal("3", deployment.Text("spec", "replicas"));
            Assert.Equal("ml", deployment.Text("metadata", "namespace"));
        }

        Assert.Contains("Promoted endpoint 'scorer': now clf v2 100%.", promoted.Output);
        Assert.Contains("PROMOTED", history.Output);
        Assert.Contains("canary looks good", history.Output);
        Assert.Contains("CREATED", history.Output);
        var events = JsonSerializer.Deserialize(historyJson.Output, EndpointJsonContext.Default.ListEndpointEventsResponse)!.Events;
        Assert.Equal([EndpointEventType.Promoted, EndpointEventType.RolloutStarted], events.Select(e => e.Type));
        Assert.Contains("Deleted endpoint 'scorer' (it served clf v2 100%).", deleted.Output);
        Assert.Equal(ExitCodes.NotFound, gone.ExitCode);
    }

    [Theory]
    [InlineData("rollback", ExitCodes.RolledBack, "Rolled back: stop it")]
    [InlineData("promote", ExitCodes.Ok, "Rollout succeeded: stop it")]
    public async Task Deploy_wait_follows_the_rollout_and_exits_by_how_it_ended(string action, int exitCode, string lastLine)
    {
        await using var server = await TestServer.StartAsync();
        await TinyModelRegistry.RegisterAsync(server, versions: 2, cancellationToken: Ct);
        var uri = server.BaseAddress.ToString();
        using var client = server.CreateClient();
        await client.CreateEndpointAsync("scorer", "clf", version: "1", cancellationToken: Ct);

        // Given deploy --wait following a rollout that bakes for long
        var waiting = CliRunner.RunAsync("endpoints", "deploy", "scorer", "--version", "2", "--strategy", "linear", "--bake", "1h", "--wait",
            "--poll-interval", "0.2s", "--tracking-uri", uri);
        for (var i = 0; i < 300 && (await client.GetEndpointAsync("scorer", Ct)).Rollout is null; i++)
        {
            await Task.Delay(100, Ct);
        }

        // When the rollout is ended from elsewhere
        await Task.Delay(500, Ct);
        if (action == "rollback")
        {
            await client.RollbackAsync("scorer", "stop it", Ct);
        }
        else
        {
            await client.PromoteAsync("scorer", "stop it", Ct);
        }

        // Then the command printed the first step and how it ended, with the matching exit code
        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(60), Ct);
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains("Step 1/10: 10%", result.Output);
        Assert.Contains(lastLine, result.Output);
    }

    [Fact]
    public async Task Bad_input_and_unknown_endpoints_give_the_documented_exit_codes()
    {
        await using var server = await TestServer.StartAsync();
        await TinyModelRegistry.RegisterAsync(server, versions: 1, cancellationToken: Ct);
        var uri = server.BaseAddress.ToString();
        await CliRunner.RunAsync("endpoints", "create", "scorer", "--model", "clf", "--version", "1", "--tracking-uri", uri);

        var both = await CliRunner.RunAsync("endpoints", "deploy", "scorer", "--version", "1", "--alias", "champion", "--tracking-uri", uri);
        var strategy = await CliRunner.RunAsync("endpoints", "deploy", "scorer", "--version", "1", "--strategy", "big-bang", "--tracking-uri", uri);
        var steps = await CliRunner.RunAsync("endpoints", "deploy", "scorer", "--version", "1", "--steps", "0,200", "--tracking-uri", uri);
        var p99 = await CliRunner.RunAsync("endpoints", "deploy", "scorer", "--version", "1", "--max-p99", "fast", "--tracking-uri", uri);
        var bake = await CliRunner.RunAsync("endpoints", "deploy", "scorer", "--version", "1", "--bake", "soon", "--tracking-uri", uri);
        var sameVersion = await CliRunner.RunAsync("endpoints", "deploy", "scorer", "--version", "1", "--tracking-uri", uri);
        var noModel = await CliRunner.RunAsync("endpoints", "create", "other", "--version", "1", "--tracking-uri", uri);
        var duplicate = await CliRunner.RunAsync("endpoints", "create", "scorer", "--model", "clf", "--version", "1", "--tracking-uri", uri);
        var noRollout = await CliRunner.RunAsync("endpoints", "promote", "scorer", "--tracking-uri", uri);
        var unknown = await CliRunner.RunAsync("endpoints", "rollback", "nope", "--tracking-uri", uri);
        var missingData = await CliRunner.RunAsync("endpoints", "invoke", "scorer", "--data", Path.Combine(server.WorkDir, "none.json"), "--tracking-uri", uri);
        var export = await CliRunner.RunAsync("endpoints", "export-k8s", "nope", "--output", Path.Combine(server.WorkDir, "k"), "--tracking-uri", uri);
        var exportReplicas = await CliRunner.RunAsync("endpoints", "export-k8s", "scorer", "--output", Path.Combine(server.WorkDir, "k"), "--replicas", "0",
            "--tracking-uri", uri);
        var exportMemory = await CliRunner.RunAsync("endpoints", "export-k8s", "scorer", "--output", Path.Combine(server.WorkDir, "k"), "--memory", "lots",
            "--tracking-uri", uri);
        var unreachable = await CliRunner.RunAsync("endpoints", "list", "--tracking-uri", "http://127.0.0.1:1");

        Assert.All(new[] { both, strategy, steps, p99, bake, sameVersion, noModel, exportReplicas, exportMemory },
            r => Assert.True(r.ExitCode == ExitCodes.InvalidInput, r.ToString()));
        Assert.Contains("--strategy must be canary, linear, blue-green or shadow", strategy.Errors);
        Assert.Contains("each step is a percent from 1 to 100", steps.Errors);
        Assert.Contains("already LIVE", sameVersion.Errors);
        Assert.StartsWith("Error: ", duplicate.Errors);
        Assert.NotEqual(ExitCodes.Ok, duplicate.ExitCode);
        Assert.Equal(ExitCodes.Error, noRollout.ExitCode);
        Assert.Contains("no rollout in progress", noRollout.Errors);
        Assert.Equal(ExitCodes.NotFound, unknown.ExitCode);
        Assert.Equal(ExitCodes.NotFound, missingData.ExitCode);
        Assert.Equal(ExitCodes.NotFound, export.ExitCode);
        Assert.Equal(ExitCodes.Unreachable, unreachable.ExitCode);
    }
}
