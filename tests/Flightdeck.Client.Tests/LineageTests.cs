using System.Net.Http.Json;
using System.Text.Json;
using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.Contracts;

namespace Flightdeck.Client.Tests;

public sealed class LineageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A run in "churn" that trained on s3://bucket/data/train.csv and registered churn v1; returns the run id.</summary>
    internal static async Task<string> SeedAsync(TestServer server)
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
        return runId;
    }

    internal static OpenLineageRunEvent EtlEvent(string eventType, string runId) => new()
    {
        EventType = eventType,
        EventTime = "2026-11-28T10:00:00Z",
        Run = new OpenLineageRun { RunId = runId },
        Job = new OpenLineageJob { Namespace = "airflow", Name = "etl" },
        Inputs = [new OpenLineageDataset { Namespace = "s3://bucket", Name = "raw/admissions.csv" }],
        Outputs =
        [
            new OpenLineageDataset
            {
                Namespace = "s3://bucket",
                Name = "data/train.csv",
                Facets = JsonDocument.Parse("""{"schema": {"_producer": "https://x", "_schemaURL": "https://y", "fields": []}}""").RootElement,
            },
        ],
        Producer = "https://github.com/apache/airflow",
        SchemaUrl = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    };

    [Fact]
    public async Task Datasets_are_listed_fetched_and_owned_through_the_client()
    {
        await using var server = await TestServer.StartAsync();
        var runId = await SeedAsync(server);
        using var client = server.CreateClient();
        var experimentId = (await client.GetExperimentByNameAsync("churn", Ct)).Experiment.ExperimentId;

        var page = await client.ListDatasetsAsync([experimentId], nameContains: "TRA", cancellationToken: Ct);
        var listed = Assert.Single(page.Datasets);
        Assert.Equal(("train", "d1", 1, "s3://bucket/data/train.csv"), (listed.Name, listed.Digest, listed.RunCount, listed.SourceUri));
        Assert.Null(page.NextPageToken);
        Assert.Empty((await client.ListDatasetsAsync(name: "nope", cancellationToken: Ct)).Datasets);

        var got = await client.GetDatasetAsync(listed.DatasetId, Ct);
        var usage = Assert.Single(got.Runs);
        Assert.Equal(runId, usage.RunId);
        Assert.Contains(usage.Tags, t => t is { Key: "mlflow.data.context", Value: "training" });

        var owned = await client.SetDatasetOwnerAsync(listed.DatasetId, "data-platform", Ct);
        Assert.Equal("data-platform", owned.Owner);
        Assert.Single((await client.ListDatasetsAsync(owner: "data-platform", cancellationToken: Ct)).Datasets);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.GetDatasetAsync(Guid.NewGuid().ToString(), Ct));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.SetDatasetOwnerAsync(Guid.NewGuid().ToString(), "x", Ct));
    }

    [Fact]
    public async Task OpenLineage_events_posted_by_the_client_join_the_lineage_graph()
    {
        await using var server = await TestServer.StartAsync();
        var runId = await SeedAsync(server);
        using var client = server.CreateClient();
        var etlRun = Guid.NewGuid().ToString();

        await client.PostOpenLineageEventAsync(EtlEvent("START", etlRun), Ct);
        await client.PostOpenLineageEventAsync(EtlEvent("COMPLETE", etlRun), Ct);

        var graph = await client.GetLineageAsync("model:churn/1", LineageDirection.Upstream, cancellationToken: Ct);
        Assert.Equal("model:churn/1", graph.Root);
        Assert.Contains(graph.Nodes, n => n.Id == "job:airflow/etl" && n.Attributes["latest_state"] == "COMPLETE");
        Assert.Contains(graph.Nodes, n => n.Id == $"run:{runId}" && n.Distance == 1);
        Assert.Contains(graph.Edges, e => e == new LineageEdge("job:airflow/etl", "olds:s3://bucket/data/train.csv", LineageEdgeKind.Output));

        var oneHop = await client.GetLineageAsync($"run:{runId}", LineageDirection.Downstream, depth: 1, cancellationToken: Ct);
        Assert.Equal(["model:churn/1", $"run:{runId}"], oneHop.Nodes.Select(n => n.Id).Order(StringComparer.Ordinal));

        var invalid = await Assert.ThrowsAsync<InvalidParameterException>(
            () => client.PostOpenLineageEventAsync(EtlEvent("START", etlRun) with { Job = null }, Ct));
        Assert.Contains("job", invalid.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidParameterException>(() => client.GetLineageAsync("bogus", cancellationToken: Ct));
        await Assert.ThrowsAsync<InvalidParameterException>(() => client.GetLineageAsync($"run:{runId}", depth: 11, cancellationToken: Ct));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.GetLineageAsync("model:churn/2", cancellationToken: Ct));
    }
}
