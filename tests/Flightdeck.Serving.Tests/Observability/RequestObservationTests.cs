using System.Net;
using System.Text;
using Flightdeck.Models;
using Flightdeck.Serving.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Serving.Tests.Observability;

public sealed class RequestObservationTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Observers_hear_of_every_inference_with_its_id_status_input_output_and_latency()
    {
        // Given a serving process with a recording observer
        var recorder = new RecordingObserver();
        var host = new ModelHost();
        await host.LoadAsync("observed", "7", TinyModel.Instance.PackageDirectory, loadOptions: new ModelLoadOptions { Flavor = ModelFlavors.MlNet });
        await using var server = await ServingServer.StartAsync(host, new ServingOptions(),
            builder => builder.Services.AddSingleton<IInferenceObserver>(recorder));
        var rows = TinyModel.Generate(3, seed: 8);

        // When a good MLflow request (with its own id), a good OIP request and a bad one arrive, and one for a missing model
        var good = await PostAsync(server, "invocations", Payloads.DataframeSplit(rows), "caller-id.1");
        var oip = await PostAsync(server, "v2/models/observed/infer", Payloads.OpenInferenceInfer(rows[..2]), null);
        const string nullF2 = """{"dataframe_split": {"columns": ["F1","F2","F3","Age","Region"], "data": [[0.1, null, 0.3, 40, "north"]]}}""";
        var bad = await PostAsync(server, "invocations", nullF2, "bad one with spaces");
        var missing = await PostAsync(server, "v2/models/nobody/infer", Payloads.OpenInferenceInfer(rows), null);
        var records = await recorder.WaitForAsync(3);

        // Then each answer carries its request id, and the three that reached the model were observed
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.NotFound),
            (good.StatusCode, oip.StatusCode, bad.StatusCode, missing.StatusCode));
        Assert.Equal("caller-id.1", IdOf(good));
        Assert.Matches("^[0-9a-f]{32}$", IdOf(oip));
        Assert.Matches("^[0-9a-f]{32}$", IdOf(bad));
        Assert.Matches("^[0-9a-f]{32}$", IdOf(missing));
        Assert.Equal(3, records.Count);
        var first = records.Single(r => r.RequestId == "caller-id.1");
        Assert.Equal(("observed", "7", "LIVE", 200, (string?)null), (first.ModelName, first.Version, first.Role, first.StatusCode, first.Endpoint));
        Assert.Equal(3, first.Input.RowCount);
        Assert.Equal(3, first.Output!.RowCount);
        Assert.True(first.Latency > TimeSpan.Zero && first.Latency < TimeSpan.FromSeconds(30), first.Latency.ToString());
        Assert.True(Math.Abs((DateTimeOffset.UtcNow - first.Timestamp).TotalMinutes) < 1);
        Assert.Null(first.Error);
        var second = records.Single(r => r.RequestId == IdOf(oip));
        Assert.Equal((200, 2), (second.StatusCode, second.Output!.RowCount));
        var failed = records.Single(r => r.RequestId == IdOf(bad));
        Assert.Equal(400, failed.StatusCode);
        Assert.Null(failed.Output);
        Assert.Contains("'F2'", failed.Error);
    }

    [Fact]
    public async Task A_request_past_its_timeout_is_cancelled_and_answered_504()
    {
        // Given a 300 ms request timeout and a model whose predict blocks
        var recorder = new RecordingObserver();
        var gated = new GatedPredictor(ModelLoader.Load(TinyModel.Instance.PackageDirectory));
        var host = new ModelHost();
        var model = await host.AddAsync("slow", "1", gated, new BatchingOptions { MaxBatchSize = 1, MaxConcurrentBatches = 1 });
        await using var server = await ServingServer.StartAsync(host, new ServingOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) },
            builder => builder.Services.AddSingleton<IInferenceObserver>(recorder));
        var body = Payloads.DataframeSplit(TinyModel.Generate(1, seed: 3));

        // When one request is stuck in the predictor and another waits in the queue behind it
        var stuck = server.Http.PostJsonAsync("invocations", body, Cancel);
        await gated.WaitForBlockedCallAsync();
        var waiting = await server.Http.PostJsonAsync("v2/models/slow/infer", Payloads.OpenInferenceInfer(TinyModel.Generate(1, seed: 3)), Cancel);
        var blocked = await stuck;
        gated.Open();
        var records = await recorder.WaitForAsync(2);

        // Then both are answered 504 with a clear error in their protocol's shape, and the queued one never reached the model
        Assert.Equal(HttpStatusCode.GatewayTimeout, blocked.Status);
        Assert.Equal("DEADLINE_EXCEEDED", blocked.Body.GetProperty("error_code").GetString());
        Assert.Contains("request timeout of 300 ms", blocked.Body.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.GatewayTimeout, waiting.Status);
        Assert.Contains("request timeout", waiting.Body.GetProperty("error").GetString());
        Assert.All(records, r => Assert.Equal(504, r.StatusCode));
        Assert.Equal(2, model.Stats.Cancelled);
        Assert.Single(gated.CallRows);
    }

    private static async Task<HttpResponseMessage> PostAsync(ServingServer server, string path, string json, string? requestId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (requestId is not null)
            request.Headers.TryAddWithoutValidation("X-Request-Id", requestId);
        return await server.Http.SendAsync(request, Cancel);
    }

    private static string IdOf(HttpResponseMessage response) => response.Headers.GetValues("X-Request-Id").Single();
}
