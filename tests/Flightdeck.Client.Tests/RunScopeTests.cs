using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.Contracts;

namespace Flightdeck.Client.Tests;

public sealed class RunScopeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_scope_creates_its_experiment_buffers_logging_into_batches_and_ends_FINISHED()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();

        string runId;
        int batches;
        await using (var run = await client.StartRunAsync("scoped", runName: "train", tags: new Dictionary<string, string> { ["team"] = "nlp" }, Ct))
        {
            runId = run.RunId;
            for (var step = 0; step < 2500; step++)
            {
                run.LogMetric("loss", 1.0 / (step + 1), step);
            }

            for (var i = 0; i < 150; i++)
            {
                run.LogParam($"p{i}", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            run.SetTag("stage", "dev");
            await run.FlushAsync(Ct);
            batches = run.BatchesSent;
        }

        var stored = (await client.GetRunAsync(runId, Ct)).Run;
        var experiment = (await client.GetExperimentByNameAsync("scoped", Ct)).Experiment;
        var history = await client.GetMetricHistoryAsync(runId, "loss", Ct);
        Assert.Equal(experiment.ExperimentId, stored.Info.ExperimentId);
        Assert.Equal("train", stored.Info.RunName);
        Assert.Equal(RunStatus.Finished, stored.Info.Status);
        Assert.NotNull(stored.Info.EndTime);
        Assert.Equal(2500, history.Metrics.Count);
        Assert.Equal(150, stored.Data.Params.Count);
        Assert.Contains(new RunTag("stage", "dev"), stored.Data.Tags);
        Assert.Contains(new RunTag("team", "nlp"), stored.Data.Tags);
        Assert.InRange(batches, 3, 2651);
    }

    [Fact]
    public async Task Leaving_an_await_using_scope_by_an_exception_ends_the_run_FAILED()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        string? runId = null;

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var run = await client.StartRunAsync("failing", cancellationToken: Ct);
            runId = run.RunId;
            run.LogMetric("loss", 1);
            await Task.Yield();
            throw new InvalidOperationException("diverged");
        });

        var stored = (await client.GetRunAsync(runId!, Ct)).Run;
        Assert.Equal(RunStatus.Failed, stored.Info.Status);
        Assert.Single(stored.Data.Metrics);
    }

    [Fact]
    public async Task An_exception_handled_inside_the_scope_does_not_fail_the_run()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        string runId;

        await using (var run = await client.StartRunAsync("recovering", cancellationToken: Ct))
        {
            runId = run.RunId;
            try
            {
                await Task.Run(() => throw new TimeoutException("flaky data loader"), Ct);
            }
            catch (TimeoutException)
            {
                run.SetTag("retried", "true");
            }
        }

        Assert.Equal(RunStatus.Finished, (await client.GetRunAsync(runId, Ct)).Run.Info.Status);
    }

    [Fact]
    public async Task A_nested_scope_that_fails_does_not_fail_the_outer_scope_that_handles_it()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        string outerId;
        string? innerId = null;

        await using (var outer = await client.StartRunAsync("nested", cancellationToken: Ct))
        {
            outerId = outer.RunId;
            try
            {
                await using var inner = await client.StartRunAsync("nested", cancellationToken: Ct);
                innerId = inner.RunId;
                throw new ArithmeticException("inner failed");
            }
            catch (ArithmeticException)
            {
                outer.SetTag("inner", "failed");
            }
        }

        Assert.Equal(RunStatus.Failed, (await client.GetRunAsync(innerId!, Ct)).Run.Info.Status);
        Assert.Equal(RunStatus.Finished, (await client.GetRunAsync(outerId, Ct)).Run.Info.Status);
    }

    [Fact]
    public async Task RunAsync_ends_FINISHED_FAILED_or_KILLED_and_rethrows()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        string? ok = null, failed = null, killed = null;

        var answer = await client.RunAsync("lambda", async run =>
        {
            ok = run.RunId;
            run.LogMetric("acc", 0.9);
            await Task.Yield();
            return 42;
        }, cancellationToken: Ct);
        await Assert.ThrowsAsync<FormatException>(() => client.RunAsync("lambda", run =>
        {
            failed = run.RunId;
            throw new FormatException("bad row");
        }, cancellationToken: Ct));
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.RunAsync("lambda", async run =>
        {
            killed = run.RunId;
            await cancel.CancelAsync();
            cancel.Token.ThrowIfCancellationRequested();
        }, cancellationToken: Ct));

        Assert.Equal(42, answer);
        Assert.Equal(RunStatus.Finished, (await client.GetRunAsync(ok!, Ct)).Run.Info.Status);
        Assert.Equal(0.9, Assert.Single((await client.GetRunAsync(ok!, Ct)).Run.Data.Metrics).Value);
        Assert.Equal(RunStatus.Failed, (await client.GetRunAsync(failed!, Ct)).Run.Info.Status);
        Assert.Equal(RunStatus.Killed, (await client.GetRunAsync(killed!, Ct)).Run.Info.Status);
    }

    [Fact]
    public async Task A_background_failure_surfaces_on_flush_and_is_not_lost()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        await using var run = await client.StartRunAsync("conflict", cancellationToken: Ct);

        run.LogParam("lr", "0.1");
        await run.FlushAsync(Ct);
        run.LogParam("lr", "0.2");
        var error = await Assert.ThrowsAsync<InvalidParameterException>(() => run.FlushAsync(Ct));

        Assert.Equal(ErrorCode.InvalidParameterValue, error.ErrorCode);
        Assert.Equal("0.1", Assert.Single((await client.GetRunAsync(run.RunId, Ct)).Run.Data.Params).Value);
    }

    [Fact]
    public async Task A_background_failure_not_yet_observed_is_thrown_by_EndAsync_after_ending_the_run()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        var run = await client.StartRunAsync("conflict-end", cancellationToken: Ct);

        run.LogParam("lr", "0.1");
        await run.FlushAsync(Ct);
        run.LogParam("lr", "0.2");
        await Assert.ThrowsAsync<InvalidParameterException>(() => run.EndAsync(RunStatus.Finished, Ct));

        Assert.Equal(RunStatus.Finished, run.EndStatus);
        Assert.Equal(RunStatus.Finished, (await client.GetRunAsync(run.RunId, Ct)).Run.Info.Status);
        Assert.Throws<InvalidOperationException>(() => run.LogMetric("late", 1));
        await run.DisposeAsync();
    }

    [Fact]
    public async Task Logging_an_input_records_the_dataset_with_its_context()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        await using var run = await client.StartRunAsync("datasets", cancellationToken: Ct);

        await run.LogInputAsync("iris", "d1g35t", "https://example.test/iris.csv", "http", schema: """{"columns":["a"]}""", context: "training",
            cancellationToken: Ct);

        var input = Assert.Single((await client.GetRunAsync(run.RunId, Ct)).Run.Inputs.DatasetInputs);
        Assert.Equal("iris", input.Dataset!.Name);
        Assert.Equal("""{"columns":["a"]}""", input.Dataset.Schema);
        Assert.Contains(new InputTag(ActiveRun.DatasetContextTag, "training"), input.Tags!);
    }

    [Fact]
    public async Task Starting_a_run_in_a_deleted_experiment_is_refused()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient();
        await client.DeleteExperimentAsync(await client.CreateExperimentAsync("gone", cancellationToken: Ct), Ct);

        var error = await Assert.ThrowsAsync<InvalidParameterException>(() => client.StartRunAsync("gone", cancellationToken: Ct));

        Assert.Contains("deleted", error.Message);
    }
}
