using System.Net;
using System.Text.Json;
using Flightdeck.Models;
using Flightdeck.Serving.Tests.Infrastructure;

namespace Flightdeck.Serving.Tests;

public sealed class BatchingTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static IPredictor LoadReal() => ModelLoader.Load(TinyModel.Instance.PackageDirectory, new ModelLoadOptions { Flavor = ModelFlavors.MlNet });

    /// <summary>Waits, without timing anything, until the queue holds <paramref name="depth"/> requests.</summary>
    private static async Task WaitForQueueAsync(ServedModel model, int depth)
    {
        for (var i = 0; i < 3000 && model.Batcher.QueueDepth < depth; i++)
            await Task.Delay(10, Cancel);
        Assert.Equal(depth, model.Batcher.QueueDepth);
    }

    [Fact]
    public async Task Concurrent_http_requests_merge_into_batches_no_larger_than_the_max_and_get_their_own_rows()
    {
        // Given a model whose first predict is held at a gate while 20 one-row requests queue up behind it
        using var direct = LoadReal();
        var gated = new GatedPredictor(LoadReal());
        var host = new ModelHost();
        var model = await host.AddAsync("clf", "1", gated,
            new BatchingOptions { MaxBatchSize = 8, MaxBatchDelay = TimeSpan.Zero, MaxQueue = 100, MaxConcurrentBatches = 1 });
        await using var server = await ServingServer.StartAsync(host);
        var rows = TinyModel.Generate(21, seed: 3);
        var first = server.Http.PostJsonAsync("invocations", Payloads.DataframeRecords(rows[..1]), Cancel);
        await gated.WaitForBlockedCallAsync();
        var rest = rows.Skip(1).Select(r => server.Http.PostJsonAsync("invocations", Payloads.DataframeRecords([r]), Cancel)).ToList();
        await WaitForQueueAsync(model, 20);

        // When the gate opens
        gated.Open();
        var replies = await Task.WhenAll(rest.Prepend(first));

        // Then the queued requests were predicted 8 at a time, and each got the predictions of its own row
        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal([1, 8, 8, 4], gated.CallRows);
        Assert.Equal(8, model.Stats.MaxBatchRows);
        Assert.Equal(8, model.Stats.MaxBatchRequests);
        Assert.Equal(3, model.Stats.MergedBatches);
        Assert.Equal(21, model.Stats.Rows);
        var expected = direct.Predict(TinyModel.Batch(rows));
        for (var i = 0; i < rows.Count; i++)
            Payloads.AssertSamePredictions(Row(expected, i), replies[i].Body.GetProperty("predictions"));
    }

    [Fact]
    public async Task Unsynchronised_concurrent_requests_are_merged_under_load()
    {
        var host = new ModelHost();
        var model = await host.AddAsync("clf", "1", LoadReal(),
            new BatchingOptions { MaxBatchSize = 16, MaxBatchDelay = TimeSpan.FromMilliseconds(20), MaxConcurrentBatches = 1 });
        await using var server = await ServingServer.StartAsync(host);
        var rows = TinyModel.Generate(64, seed: 8);

        var replies = await Task.WhenAll(rows.Select(r => server.Http.PostJsonAsync("invocations", Payloads.DataframeSplit([r]), Cancel)));

        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.True(model.Stats.MaxBatchRequests > 1, $"no batch merged requests ({model.Stats.Batches} batches)");
        Assert.True(model.Stats.MaxBatchRows <= 16);
        Assert.True(model.Stats.Batches < 64);
    }

    [Fact]
    public async Task Requests_behind_a_busy_predict_share_a_batch_that_closes_when_full_and_a_lone_request_does_not_wait()
    {
        var gated = new GatedPredictor(LoadReal());
        await using var host = new ModelHost();
        var model = await host.AddAsync("clf", "1", gated,
            new BatchingOptions { MaxBatchSize = 3, MaxBatchDelay = TimeSpan.FromSeconds(2), MaxConcurrentBatches = 1 });
        var rows = TinyModel.Generate(5, seed: 9);

        // Requests that arrive while another is being predicted share one predict, which runs as soon as it is full.
        var busy = model.PredictAsync(TinyModel.Batch(rows[..1]), Cancel);
        await gated.WaitForBlockedCallAsync();
        var queued = rows[1..4].Select(r => model.PredictAsync(TinyModel.Batch([r]), Cancel)).ToList();
        await WaitForQueueAsync(model, 3);
        gated.Open();
        var outputs = await Task.WhenAll(queued.Prepend(busy));

        // A lone request, with nothing else in flight, is predicted at once: waiting the 2 s delay could gain nothing.
        var lone = System.Diagnostics.Stopwatch.StartNew();
        var alone = await model.PredictAsync(TinyModel.Batch(rows[4..]), Cancel);
        lone.Stop();

        Assert.All(outputs.Append(alone), output => Assert.Equal(1, output.RowCount));
        Assert.Equal([1, 3, 1], gated.CallRows);
        Assert.True(lone.Elapsed < TimeSpan.FromSeconds(1), $"a lone request waited {lone.Elapsed} for company");
    }

    [Fact]
    public async Task A_request_whose_caller_gave_up_no_longer_counts_as_company_for_a_lone_request()
    {
        var gated = new GatedPredictor(LoadReal());
        await using var host = new ModelHost();
        var model = await host.AddAsync("clf", "1", gated,
            new BatchingOptions { MaxBatchSize = 8, MaxBatchDelay = TimeSpan.FromSeconds(30), MaxConcurrentBatches = 1 });
        var rows = TinyModel.Generate(3, seed: 12);
        var busy = model.PredictAsync(TinyModel.Batch(rows[..1]), Cancel);
        await gated.WaitForBlockedCallAsync();
        using var giveUp = new CancellationTokenSource();
        var abandoned = model.PredictAsync(TinyModel.Batch(rows[1..2]), giveUp.Token);
        await WaitForQueueAsync(model, 1);

        // The caller gives up while queued, then the busy predict finishes.
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        gated.Open();
        await busy;

        // Nothing is in flight any more, so the next request is predicted at once rather than waiting 30 s for company.
        var lone = System.Diagnostics.Stopwatch.StartNew();
        var alone = await model.PredictAsync(TinyModel.Batch(rows[2..]), Cancel);
        lone.Stop();

        Assert.Equal(1, alone.RowCount);
        Assert.Equal([1, 1], gated.CallRows);
        Assert.True(lone.Elapsed < TimeSpan.FromSeconds(10), $"a lone request waited {lone.Elapsed} for company");
        Assert.Equal(1, model.Stats.Cancelled);
    }

    [Fact]
    public async Task A_request_that_already_waited_the_delay_behind_busy_workers_is_predicted_as_soon_as_one_is_free()
    {
        // Given two workers, both stuck in a predict call, and a request queued behind them for longer than the delay
        var delay = TimeSpan.FromSeconds(2);
        var turnstile = new GatedPredictor(LoadReal());
        await using var host = new ModelHost();
        var model = await host.AddAsync("clf", "1", turnstile,
            new BatchingOptions { MaxBatchSize = 8, MaxBatchDelay = delay, MaxConcurrentBatches = 2 });
        var rows = TinyModel.Generate(3, seed: 14);
        var first = model.PredictAsync(TinyModel.Batch(rows[..1]), Cancel);
        Assert.True(await turnstile.WaitForCallAsync(TimeSpan.FromSeconds(30)));
        var second = model.PredictAsync(TinyModel.Batch(rows[1..2]), Cancel); // waits the delay for company, then predicts
        Assert.True(await turnstile.WaitForCallAsync(TimeSpan.FromSeconds(30)));
        var late = model.PredictAsync(TinyModel.Batch(rows[2..]), Cancel);
        await WaitForQueueAsync(model, 1);
        await Task.Delay(delay + TimeSpan.FromMilliseconds(300), Cancel);

        // When one worker is freed while the other's batch is still in flight
        var freed = System.Diagnostics.Stopwatch.StartNew();
        turnstile.LetOneThrough();

        // Then the late request is predicted at once: its delay was spent in the queue, and is not started over
        Assert.True(await turnstile.WaitForCallAsync(TimeSpan.FromSeconds(30)));
        freed.Stop();
        turnstile.Open();
        var outputs = await Task.WhenAll(first, second, late);
        Assert.All(outputs, output => Assert.Equal(1, output.RowCount));
        Assert.Equal([1, 1, 1], turnstile.CallRows);
        Assert.True(freed.Elapsed < delay / 2, $"the late request waited {freed.Elapsed} more for company");
    }

    [Fact]
    public async Task Only_requests_with_the_same_columns_in_the_same_order_are_merged()
    {
        using var direct = LoadReal();
        var gated = new GatedPredictor(LoadReal());
        await using var host = new ModelHost();
        var model = await host.AddAsync("clf", "1", gated,
            new BatchingOptions { MaxBatchSize = 8, MaxBatchDelay = TimeSpan.Zero, MaxConcurrentBatches = 1 });
        var rows = TinyModel.Generate(4, seed: 13);
        var busy = model.PredictAsync(TinyModel.Batch(rows[..1]), Cancel);
        await gated.WaitForBlockedCallAsync();

        // Queued in this order: two requests of one layout, then one whose columns come in another order, then the first
        // layout again. A batch keeps arrival order, so it closes at the first request it cannot stack.
        var reordered = TinyModel.Batch(rows[2..3]);
        var queued = new[]
        {
            model.PredictAsync(TinyModel.Batch(rows[1..2]), Cancel),
            model.PredictAsync(TinyModel.Batch(rows[3..4]), Cancel),
            model.PredictAsync(new DataBatch(reordered.Columns.Reverse()), Cancel),
            model.PredictAsync(TinyModel.Batch(rows[1..2]), Cancel),
        };
        await WaitForQueueAsync(model, 4);
        gated.Open();
        var outputs = await Task.WhenAll(queued.Prepend(busy));

        Assert.Equal([1, 2, 1, 1], gated.CallRows);
        var expected = direct.Predict(TinyModel.Batch([rows[0], rows[1], rows[3], rows[2], rows[1]]));
        for (var i = 0; i < outputs.Length; i++)
            Assert.Equal(Row(expected, i)["Score"].GetValues<float>(), outputs[i]["Score"].GetValues<float>());
    }

    [Fact]
    public async Task A_bad_request_in_a_merged_batch_fails_alone()
    {
        var gated = new GatedPredictor(LoadReal());
        var host = new ModelHost();
        var model = await host.AddAsync("clf", "1", gated,
            new BatchingOptions { MaxBatchSize = 8, MaxBatchDelay = TimeSpan.Zero, MaxConcurrentBatches = 1 });
        await using var server = await ServingServer.StartAsync(host);
        var rows = TinyModel.Generate(3, seed: 4);
        var blocker = server.Http.PostJsonAsync("invocations", Payloads.DataframeSplit(rows[..1]), Cancel);
        await gated.WaitForBlockedCallAsync();
        var good = server.Http.PostJsonAsync("invocations", Payloads.DataframeSplit(rows[1..2]), Cancel);
        const string nullF2 = """{"dataframe_split": {"columns": ["F1","F2","F3","Age","Region"], "data": [[0.1, null, 0.3, 40, "north"]]}}""";
        var bad = server.Http.PostJsonAsync("invocations", nullF2, Cancel);
        var good2 = server.Http.PostJsonAsync("invocations", Payloads.DataframeSplit(rows[2..3]), Cancel);
        await WaitForQueueAsync(model, 3);

        gated.Open();

        Assert.Equal(HttpStatusCode.OK, (await blocker).Status);
        Assert.Equal(HttpStatusCode.OK, (await good).Status);
        Assert.Equal(HttpStatusCode.OK, (await good2).Status);
        var failed = await bad;
        Assert.Equal(HttpStatusCode.BadRequest, failed.Status);
        Assert.Contains("'F2'", failed.Body.GetProperty("message").GetString());
        Assert.Equal(1, model.Stats.Failed);
    }

    [Fact]
    public async Task A_full_queue_answers_429_with_retry_after()
    {
        var gated = new GatedPredictor(LoadReal());
        var host = new ModelHost();
        var model = await host.AddAsync("clf", "1", gated,
            new BatchingOptions { MaxBatchSize = 1, MaxQueue = 2, MaxConcurrentBatches = 1 });
        await using var server = await ServingServer.StartAsync(host);
        var body = Payloads.DataframeSplit(TinyModel.Generate(1, seed: 1));
        var inFlight = server.Http.PostJsonAsync("invocations", body, Cancel);
        await gated.WaitForBlockedCallAsync();
        var queued = new[] { server.Http.PostJsonAsync("invocations", body, Cancel), server.Http.PostJsonAsync("invocations", body, Cancel) };
        await WaitForQueueAsync(model, 2);

        var refused = await server.Http.PostJsonAsync("invocations", body, Cancel);
        var refusedV2 = await server.Http.PostJsonAsync("v2/models/clf/infer", Payloads.OpenInferenceInfer(TinyModel.Generate(1, seed: 1)), Cancel);
        gated.Open();
        var served = await Task.WhenAll(queued.Prepend(inFlight));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal("1", refused.Response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("REQUEST_LIMIT_EXCEEDED", refused.Body.GetProperty("error_code").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedV2.Status);
        Assert.All(served, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal(2, model.Stats.Rejected);
    }

    [Fact]
    public async Task A_cancelled_request_is_dropped_from_its_batch()
    {
        var gated = new GatedPredictor(LoadReal());
        await using var host = new ModelHost();
        var model = await host.AddAsync("clf", "1", gated,
            new BatchingOptions { MaxBatchSize = 8, MaxBatchDelay = TimeSpan.Zero, MaxConcurrentBatches = 1 });
        var rows = TinyModel.Generate(4, seed: 2);
        var blocker = model.PredictAsync(TinyModel.Batch(rows[..1]), Cancel);
        await gated.WaitForBlockedCallAsync();
        using var giveUp = new CancellationTokenSource();
        var cancelled = model.PredictAsync(TinyModel.Batch(rows[1..3]), giveUp.Token); // two rows
        var kept = model.PredictAsync(TinyModel.Batch(rows[3..4]), Cancel);

        await giveUp.CancelAsync();
        gated.Open();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, (await blocker).RowCount);
        Assert.Equal(1, (await kept).RowCount);
        Assert.Equal([1, 1], gated.CallRows); // The cancelled request's two rows never reached the model.
        Assert.Equal(1, model.Stats.Cancelled);
    }

    [Fact]
    public async Task A_client_that_disconnects_while_queued_is_not_predicted()
    {
        var gated = new GatedPredictor(LoadReal());
        var host = new ModelHost();
        var model = await host.AddAsync("clf", "1", gated,
            new BatchingOptions { MaxBatchSize = 8, MaxBatchDelay = TimeSpan.Zero, MaxConcurrentBatches = 1 });
        await using var server = await ServingServer.StartAsync(host);
        var blocker = server.Http.PostJsonAsync("invocations", Payloads.DataframeSplit(TinyModel.Generate(1, seed: 1)), Cancel);
        await gated.WaitForBlockedCallAsync();
        using var giveUp = new CancellationTokenSource();
        var abandoned = server.Http.PostJsonAsync("invocations", Payloads.DataframeSplit(TinyModel.Generate(3, seed: 2)), giveUp.Token);
        await WaitForQueueAsync(model, 1);

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        for (var i = 0; i < 3000 && model.Stats.Cancelled == 0; i++)
            await Task.Delay(10, Cancel);
        gated.Open();
        await blocker;

        Assert.Equal(1, model.Stats.Cancelled);
        Assert.Equal([1], gated.CallRows);
    }

    private static DataBatch Row(DataBatch batch, int row) => new(batch.Columns.Select(c => c.Type switch
    {
        BatchColumnType.Boolean => BatchColumn.FromBooleans(c.Name, [c.GetValues<bool>()[row]]),
        BatchColumnType.Single => BatchColumn.FromSingles(c.Name, [c.GetValues<float>()[row]]),
        BatchColumnType.Double => BatchColumn.FromDoubles(c.Name, [c.GetValues<double>()[row]]),
        _ => throw new InvalidOperationException(c.Type.ToString()),
    }));
}
