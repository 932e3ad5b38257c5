using System.Net;
using Flightdeck.Models;
using Flightdeck.Serving.Tests.Infrastructure;

namespace Flightdeck.Serving.Tests.Observability;

public sealed class MetricsTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_show_requests_errors_latency_batches_and_queue_depth_per_model_version()
    {
        // Given a serving process with a model whose name no other test uses (the meter is process-wide)
        var host = new ModelHost();
        await host.LoadAsync("metered", "3", TinyModel.Instance.PackageDirectory, loadOptions: new ModelLoadOptions { Flavor = ModelFlavors.MlNet });
        await using var server = await ServingServer.StartAsync(host);
        var rows = TinyModel.Generate(2, seed: 5);

        // When it answers three good requests (one of them over OIP) and one with a bad column
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await server.Http.PostJsonAsync("invocations", Payloads.DataframeSplit(rows), Cancel)).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.PostJsonAsync("v2/models/metered/infer", Payloads.OpenInferenceInfer(rows), Cancel)).Status);
        const string nullF2 = """{"dataframe_split": {"columns": ["F1","F2","F3","Age","Region"], "data": [[0.1, null, 0.3, 40, "north"]]}}""";
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Http.PostJsonAsync("invocations", nullF2, Cancel)).Status);
        (string, string)[] model = [("model", "metered"), ("version", "3"), ("role", "LIVE")];
        var (text, samples) = await ScrapeUntilAsync(server,
            s => s.Find("flightdeck_serving_requests_total", [.. model]).Sum(x => x.Value) >= 4);

        // Then /metrics has each series, labelled by model, version, role and status class
        Assert.Equal(3, Single(samples.Find("flightdeck_serving_requests_total", [.. model, ("status_class", "2xx")]), text));
        Assert.Equal(1, Single(samples.Find("flightdeck_serving_requests_total", [.. model, ("status_class", "4xx")]), text));
        Assert.Equal(1, Single(samples.Find("flightdeck_serving_request_errors_total", [.. model, ("status_class", "4xx")]), text));
        Assert.Empty(samples.Find("flightdeck_serving_request_errors_total", [.. model, ("status_class", "2xx")]));
        Assert.Equal(3, Single(samples.Find("flightdeck_serving_request_duration_seconds_count", [.. model, ("status_class", "2xx")]), text));
        var buckets = samples.Find("flightdeck_serving_request_duration_seconds_bucket", [.. model, ("status_class", "2xx")]);
        Assert.Contains(buckets, b => b.Labels["le"] == "0.0001");
        Assert.Contains(buckets, b => b.Labels["le"] == "10");
        Assert.Equal(3, buckets.Single(b => b.Labels["le"] == "+Inf").Value);
        Assert.True(Single(samples.Find("flightdeck_serving_batch_rows_count", ("model", "metered"), ("version", "3")), text) >= 3, text);
        Assert.True(Single(samples.Find("flightdeck_serving_batch_requests_count", ("model", "metered"), ("version", "3")), text) >= 3, text);
        Assert.True(Single(samples.Find("flightdeck_serving_predict_duration_seconds_count", ("model", "metered"), ("version", "3")), text) >= 3, text);
        Assert.Equal(0, Single(samples.Find("flightdeck_serving_queue_depth", ("model", "metered"), ("version", "3")), text));
        Assert.Contains("# TYPE flightdeck_serving_request_duration_seconds histogram", text);
    }

    [Fact]
    public async Task Queue_wait_histogram_shows_the_time_requests_spent_behind_a_busy_worker()
    {
        // Given a model whose predict blocks, one request in the predictor and two waiting behind it for 300 ms
        var (gated, server, requests) = await TwoQueuedBehindABlockedOneAsync("waited");
        await using var _ = server;
        await Task.Delay(300, Cancel);

        // When they are answered and Prometheus scrapes
        gated.Open();
        await Task.WhenAll(requests);
        var text = await server.Http.GetStringAsync("metrics", Cancel);

        // Then each request's wait was recorded, and the two that queued behind the blocked one waited at least 250 ms
        var samples = PrometheusText.Parse(text);
        Assert.Equal(3, Single(samples.Find("flightdeck_serving_queue_wait_seconds_count", ("model", "waited"), ("version", "1")), text));
        var buckets = samples.Find("flightdeck_serving_queue_wait_seconds_bucket", ("model", "waited"), ("version", "1"));
        Assert.Equal(1, buckets.Single(b => b.Labels["le"] == "0.25").Value);
        Assert.Equal(3, buckets.Single(b => b.Labels["le"] == "+Inf").Value);
    }

    [Fact]
    public async Task Queue_depth_counts_the_requests_waiting_for_a_batch()
    {
        // Given a model whose predict blocks, one request in the predictor and two waiting behind it
        var (gated, server, requests) = await TwoQueuedBehindABlockedOneAsync("queued");
        await using var _ = server;

        // When Prometheus scrapes
        var text = await server.Http.GetStringAsync("metrics", Cancel);
        gated.Open();
        await Task.WhenAll(requests);

        // Then the gauge shows the two waiting
        Assert.Equal(2, Single(PrometheusText.Parse(text).Find("flightdeck_serving_queue_depth", ("model", "queued"), ("version", "1")), text));
    }

    /// <summary>Model <paramref name="name"/> version 1 served one request at a time, with a first request blocked in its
    /// predict and two more queued behind it.</summary>
    private static async Task<(GatedPredictor Gated, ServingServer Server, List<Task<JsonReply>> Requests)> TwoQueuedBehindABlockedOneAsync(
        string name)
    {
        var gated = new GatedPredictor(ModelLoader.Load(TinyModel.Instance.PackageDirectory));
        var host = new ModelHost();
        var model = await host.AddAsync(name, "1", gated, new BatchingOptions { MaxBatchSize = 1, MaxConcurrentBatches = 1 });
        var server = await ServingServer.StartAsync(host);
        var body = Payloads.DataframeSplit(TinyModel.Generate(1, seed: 2));
        var requests = new List<Task<JsonReply>> { server.Http.PostJsonAsync("invocations", body, Cancel) };
        await gated.WaitForBlockedCallAsync();
        requests.Add(server.Http.PostJsonAsync("invocations", body, Cancel));
        requests.Add(server.Http.PostJsonAsync("invocations", body, Cancel));
        for (var i = 0; i < 300 && model.Batcher.QueueDepth < 2; i++)
            await Task.Delay(10, Cancel);
        return (gated, server, requests);
    }

    /// <summary>Scrapes until <paramref name="ready"/> holds: observers run just after the answer is sent, and the
    /// exporter caches a scrape for a moment.</summary>
    internal static async Task<(string Text, IReadOnlyList<PrometheusText.Sample> Samples)> ScrapeUntilAsync(
        ServingServer server, Func<IReadOnlyList<PrometheusText.Sample>, bool> ready)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await server.Http.GetAsync("metrics", Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync(Cancel);
            var samples = PrometheusText.Parse(text);
            if (ready(samples) || attempt == 50)
                return (text, samples);
            await Task.Delay(100, Cancel);
        }
    }

    private static double Single(IReadOnlyList<PrometheusText.Sample> found, string text)
    {
        Assert.True(found.Count == 1, $"expected one sample, found {found.Count} in:\n{text}");
        return found[0].Value;
    }
}
