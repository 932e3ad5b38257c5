using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.Contracts;

namespace Flightdeck.Client.Tests;

public sealed class RunsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_is_created_logged_to_updated_deleted_and_restored()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        var experimentId = await client.CreateExperimentAsync("runs", cancellationToken: Ct);

        var run = (await client.CreateRunAsync(new CreateRunRequest { ExperimentId = experimentId, RunName = "first", StartTime = 1000 }, Ct)).Run;
        await client.LogMetricAsync(run.Info.RunId, "loss", 0.5, step: 1, timestamp: 2000, cancellationToken: Ct);
        await client.LogParamAsync(run.Info.RunId, "lr", "0.01", Ct);
        await client.SetTagAsync(run.Info.RunId, "stage", "dev", Ct);
        await client.SetTagAsync(run.Info.RunId, "temp", "x", Ct);
        await client.DeleteTagAsync(run.Info.RunId, "temp", Ct);
        await client.LogBatchAsync(new LogBatchRequest
        {
            RunId = run.Info.RunId,
            Metrics = [new Metric { Key = "loss", Value = 0.25, Step = 2, Timestamp = 3000 }],
            Params = [new Param("epochs", "3")],
        }, Ct);
        var ended = await client.SetTerminatedAsync(run.Info.RunId, RunStatus.Finished, Ct);

        var fetched = (await client.GetRunAsync(run.Info.RunId, Ct)).Run;
        Assert.Equal("first", fetched.Info.RunName);
        Assert.Equal(RunStatus.Finished, ended.RunInfo.Status);
        Assert.Equal(0.25, Assert.Single(fetched.Data.Metrics).Value);
        Assert.Equal(["epochs", "lr"], fetched.Data.Params.Select(p => p.Key).Order());
        Assert.Contains(new RunTag("stage", "dev"), fetched.Data.Tags);
        Assert.DoesNotContain(fetched.Data.Tags, t => t.Key == "temp");
        Assert.StartsWith("mlflow-artifacts:/", fetched.Info.ArtifactUri);

        await client.DeleteRunAsync(run.Info.RunId, Ct);
        Assert.Equal(LifecycleStage.Deleted, (await client.GetRunAsync(run.Info.RunId, Ct)).Run.Info.LifecycleStage);
        await client.RestoreRunAsync(run.Info.RunId, Ct);
        Assert.Equal(LifecycleStage.Active, (await client.GetRunAsync(run.Info.RunId, Ct)).Run.Info.LifecycleStage);
    }

    [Fact]
    public async Task Searching_runs_filters_orders_and_follows_page_tokens()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        var experimentId = await client.CreateExperimentAsync("search", cancellationToken: Ct);
        for (var i = 0; i < 5; i++)
        {
            var runId = (await client.CreateRunAsync(new CreateRunRequest { ExperimentId = experimentId, RunName = $"r{i}" }, Ct)).Run.Info.RunId;
            await client.LogMetricAsync(runId, "acc", i / 10.0, cancellationToken: Ct);
        }

        var page = await client.SearchRunsAsync(new SearchRunsRequest { ExperimentIds = [experimentId], MaxResults = 2 }, Ct);
        var good = await client.EnumerateRunsAsync(new SearchRunsRequest
        {
            ExperimentIds = [experimentId],
            Filter = "metrics.acc >= 0.2",
            OrderBy = ["metrics.acc DESC"],
            MaxResults = 1,
        }, Ct).ToListAsync(Ct);

        Assert.Equal(2, page.Runs.Count);
        Assert.NotNull(page.NextPageToken);
        Assert.Equal(["r4", "r3", "r2"], good.Select(r => r.Info.RunName));
        await Assert.ThrowsAsync<InvalidParameterException>(() =>
            client.SearchRunsAsync(new SearchRunsRequest { ExperimentIds = [experimentId], Filter = "metrics.acc >>> 1" }, Ct));
    }

    [Fact]
    public async Task Metric_history_and_bulk_interval_read_back_every_point()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        var experimentId = await client.CreateExperimentAsync("history", cancellationToken: Ct);
        var runIds = new List<string>();
        for (var r = 0; r < 2; r++)
        {
            var runId = (await client.CreateRunAsync(new CreateRunRequest { ExperimentId = experimentId }, Ct)).Run.Info.RunId;
            runIds.Add(runId);
            await client.LogBatchAsync(new LogBatchRequest
            {
                RunId = runId,
                Metrics = [.. Enumerable.Range(0, 50).Select(i => new Metric { Key = "loss", Value = 1.0 / (i + 1), Step = i, Timestamp = 1000 + i })],
            }, Ct);
        }

        var history = await client.GetMetricHistoryAsync(runIds[0], "loss", Ct);
        var bulk = await client.GetMetricHistoryBulkIntervalAsync(runIds, "loss", maxResults: 10, cancellationToken: Ct);
        var unknown = await client.GetMetricHistoryAsync(runIds[0], "nope", Ct);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), history.Metrics.Select(m => m.Step!.Value));
        Assert.Empty(unknown.Metrics);
        Assert.Equal(runIds.Order(StringComparer.Ordinal), bulk.Metrics.Select(m => m.RunId).Distinct());
        Assert.All(runIds, id => Assert.Contains(bulk.Metrics, m => m.RunId == id && m.Step == 0));
        Assert.All(runIds, id => Assert.Contains(bulk.Metrics, m => m.RunId == id && m.Step == 49));
    }

    [Fact]
    public async Task Dataset_inputs_round_trip()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        var experimentId = await client.CreateExperimentAsync("inputs", cancellationToken: Ct);
        var runId = (await client.CreateRunAsync(new CreateRunRequest { ExperimentId = experimentId }, Ct)).Run.Info.RunId;

        await client.LogInputsAsync(new LogInputsRequest
        {
            RunId = runId,
            Datasets =
            [
                new DatasetInput
                {
                    Dataset = new Dataset { Name = "mnist", Digest = "abc123", Source = "s3://data/mnist", SourceType = "s3" },
                    Tags = [new InputTag("mlflow.data.context", "training")],
                },
            ],
        }, Ct);

        var input = Assert.Single((await client.GetRunAsync(runId, Ct)).Run.Inputs.DatasetInputs);
        Assert.Equal("mnist", input.Dataset!.Name);
        Assert.Contains(new InputTag("mlflow.data.context", "training"), input.Tags!);
    }
}
