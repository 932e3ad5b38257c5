using System.Net.Http.Json;
using System.Text.Json;
using Flightdeck.Cli.Tests.Infrastructure;
using Flightdeck.Client.Tests.Infrastructure;

namespace Flightdeck.Cli.Tests;

public sealed class LineageCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Run "train" in experiment "churn" read s3://bucket/data/train.csv (written by Airflow job airflow/etl) and registered churn v1.</summary>
    private static async Task<string> SeedAsync(TestServer server)
    {
        using var client = server.CreateClient();
        var runId = await client.RunAsync("churn", async run =>
        {
            await run.LogInputAsync("train", "d1", """{"uri": "s3://bucket/data/train.csv"}""", "s3", context: "training", cancellationToken: Ct);
            return run.RunId;
        }, runName: "train", cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        (await http.PostAsJsonAsync("api/2.0/mlflow/registered-models/create", new { name = "churn" }, Ct)).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("api/2.0/mlflow/model-versions/create", new { name = "churn", source = $"runs:/{runId}/model", run_id = runId }, Ct))
            .EnsureSuccessStatusCode();
        await client.PostOpenLineageEventAsync(new()
        {
            EventType = "COMPLETE",
            EventTime = "2026-11-28T10:00:00Z",
            Run = new() { RunId = Guid.NewGuid().ToString() },
            Job = new() { Namespace = "airflow", Name = "etl" },
            Outputs = [new() { Namespace = "s3://bucket", Name = "data/train.csv" }],
            Producer = "https://github.com/apache/airflow",
            SchemaUrl = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        }, Ct);
        return runId;
    }

    [Fact]
    public async Task Lineage_prints_the_graph_as_a_tree_or_json()
    {
        await using var server = await TestServer.StartAsync();
        var runId = await SeedAsync(server);
        var uri = server.BaseAddress.ToString();

        var tree = await CliRunner.RunAsync("lineage", "model:churn/1", "--direction", "upstream", "--tracking-uri", uri);
        Assert.Equal(0, tree.ExitCode);
        var lines = tree.Output.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        Assert.StartsWith("model churn v1", lines[0], StringComparison.Ordinal);
        // Each level indents further: run, dataset, OpenLineage dataset, then the job that wrote it.
        var order = new[] { $"run:{runId}", "dataset:", "olds:s3://bucket/data/train.csv", "job:airflow/etl" };
        var at = order.Select(part => lines.FindIndex(l => l.Contains(part, StringComparison.Ordinal))).ToList();
        Assert.All(at, i => Assert.True(i > 0, tree.ToString()));
        Assert.Equal(at.Order().ToList(), at);
        var indents = at.Select(i => lines[i].IndexOf(lines[i].TrimStart(' ', '│', '├', '└', '─')[0])).ToList();
        Assert.Equal(indents.Order().Distinct().ToList(), indents);
        Assert.Contains("produced run train FINISHED", tree.Output, StringComparison.Ordinal);
        Assert.Contains("output job airflow/etl COMPLETE", tree.Output, StringComparison.Ordinal);

        var both = await CliRunner.RunAsync("lineage", $"run:{runId}", "--depth", "1", "--tracking-uri", uri);
        Assert.Equal(0, both.ExitCode);
        Assert.Contains("upstream", both.Output, StringComparison.Ordinal);
        Assert.Contains("downstream", both.Output, StringComparison.Ordinal);
        Assert.Contains("model churn v1", both.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("job:airflow/etl", both.Output, StringComparison.Ordinal);

        Assert.Contains("(nothing)", (await CliRunner.RunAsync("lineage", "model:churn/1", "--tracking-uri", uri)).Output, StringComparison.Ordinal);

        var json = await CliRunner.RunAsync("lineage", "job:airflow/etl", "--direction", "downstream", "--json", "--tracking-uri", uri);
        Assert.Equal(0, json.ExitCode);
        var graph = JsonDocument.Parse(json.Output).RootElement;
        Assert.Equal("job:airflow/etl", graph.GetProperty("root").GetString());
        Assert.Equal(5, graph.GetProperty("nodes").GetArrayLength()); // job, olds, dataset, run, model

        var bad = await CliRunner.RunAsync("lineage", "nonsense", "--tracking-uri", uri);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("Invalid lineage node id", bad.Errors, StringComparison.Ordinal);
        var badDirection = await CliRunner.RunAsync("lineage", $"run:{runId}", "--direction", "sideways", "--tracking-uri", uri);
        Assert.NotEqual(0, badDirection.ExitCode);
    }

    [Fact]
    public async Task Server_refuses_an_openlineage_url_that_is_not_http()
    {
        var result = await CliRunner.RunAsync("server", "--port", "0", "--openlineage-url", "ftp://example.com/lineage");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--openlineage-url", result.Output + result.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Datasets_list_and_show()
    {
        await using var server = await TestServer.StartAsync();
        var runId = await SeedAsync(server);
        var uri = server.BaseAddress.ToString();

        var list = await CliRunner.RunAsync("datasets", "list", "--experiment", "churn", "--tracking-uri", uri);
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("s3://bucket/data/train.csv", list.Output, StringComparison.Ordinal);

        var json = await CliRunner.RunAsync("datasets", "list", "--name", "train", "--json", "--tracking-uri", uri);
        var datasetId = JsonDocument.Parse(json.Output).RootElement.GetProperty("datasets")[0].GetProperty("dataset_id").GetString()!;

        var show = await CliRunner.RunAsync("datasets", "show", datasetId, "--tracking-uri", uri);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains(runId, show.Output, StringComparison.Ordinal);
        Assert.Contains("training", show.Output, StringComparison.Ordinal);

        var missing = await CliRunner.RunAsync("datasets", "show", Guid.NewGuid().ToString(), "--tracking-uri", uri);
        Assert.NotEqual(0, missing.ExitCode);
    }
}
