using System.Diagnostics;
using System.Net;
using Flightdeck.Models;
using Flightdeck.Serving.Tests.Infrastructure;
using OpenTelemetry.Trace;

namespace Flightdeck.Serving.Tests.Observability;

public sealed class TracingTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_request_gets_an_infer_span_and_a_merged_batch_one_span_linking_them_all()
    {
        // Given a traced serving process (in-memory exporter) whose predictor blocks until the test opens it
        var spans = new List<Activity>();
        var gated = new GatedPredictor(ModelLoader.Load(TinyModel.Instance.PackageDirectory));
        var host = new ModelHost();
        var model = await host.AddAsync("traced", "2", gated, new BatchingOptions { MaxBatchSize = 64, MaxConcurrentBatches = 1 });
        var server = await ServingServer.StartAsync(host, new ServingOptions
        {
            Telemetry = new TelemetryOptions { ConfigureTracing = tracing => tracing.AddInMemoryExporter(spans) },
        });
        var body = Payloads.DataframeSplit(TinyModel.Generate(1, seed: 4));

        // When one request holds the predictor and three more queue up behind it, then all are served
        var first = server.Http.PostJsonAsync("invocations", body, Cancel);
        await gated.WaitForBlockedCallAsync();
        var queued = Enumerable.Range(0, 3).Select(_ => server.Http.PostJsonAsync("invocations", body, Cancel)).ToList();
        for (var i = 0; i < 300 && model.Batcher.QueueDepth < 3; i++)
            await Task.Delay(10, Cancel);
        gated.Open();
        var replies = await Task.WhenAll(queued.Prepend(first));
        await server.DisposeAsync(); // Ends every span.

        // Then there are four infer spans under ASP.NET Core's request spans, and the merged batch links the three queued
        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Activity[] all;
        lock (spans)
            all = [.. spans];
        var infers = all.Where(a => a.Source.Name == ServingTelemetry.SourceName && a.OperationName == "infer"
            && Equals(a.GetTagItem("flightdeck.model"), "traced")).ToList();
        Assert.Equal(4, infers.Count);
        Assert.All(infers, infer =>
        {
            Assert.Contains(all, a => a.Source.Name == "Microsoft.AspNetCore" && a.SpanId == infer.ParentSpanId);
            Assert.Equal(replies.Select(r => r.Response.Headers.GetValues("X-Request-Id").Single()).Order().ToList(),
                infers.Select(i => (string)i.GetTagItem("flightdeck.request_id")!).Order().ToList());
        });
        var batches = all.Where(a => a.OperationName == "batch" && Equals(a.GetTagItem("flightdeck.model"), "traced")).ToList();
        var merged = Assert.Single(batches, b => Equals(b.GetTagItem("flightdeck.batch.requests"), 3));
        Assert.Equal(3, merged.Links.Count());
        Assert.All(merged.Links, link => Assert.Contains(infers, i => i.SpanId == link.Context.SpanId && i.TraceId == link.Context.TraceId));
        Assert.Equal(default, merged.ParentSpanId);
    }
}
