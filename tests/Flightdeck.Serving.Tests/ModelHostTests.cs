using System.Net;
using Flightdeck.Models;
using Flightdeck.Serving.Tests.Infrastructure;

namespace Flightdeck.Serving.Tests;

public sealed class ModelHostTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Several_versions_of_a_model_are_served_side_by_side_and_the_unversioned_path_takes_the_highest()
    {
        var host = new ModelHost();
        var directory = TinyModel.Instance.PackageDirectory;
        await host.LoadAsync("clf", "2", directory, loadOptions: new ModelLoadOptions { Flavor = ModelFlavors.Onnx }, cancellationToken: Cancel);
        await host.LoadAsync("clf", "10", directory, loadOptions: new ModelLoadOptions { Flavor = ModelFlavors.MlNet }, cancellationToken: Cancel);
        await using var server = await ServingServer.StartAsync(host);
        var rows = TinyModel.Generate(2, seed: 6);

        var metadata = await server.Http.GetJsonAsync("v2/models/clf", Cancel);
        var v2 = await server.Http.PostJsonAsync("invocations?model=clf&version=2", Payloads.DataframeSplit(rows), Cancel);
        var latest = await server.Http.PostJsonAsync("v2/models/clf/infer", Payloads.OpenInferenceInfer(rows), Cancel);

        Assert.Equal("mlnet", metadata.Body.GetProperty("platform").GetString()); // version 10, not "2" > "10" as text
        Assert.Equal(["2", "10"], metadata.Body.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(HttpStatusCode.OK, v2.Status);
        Assert.Equal("10", latest.Body.GetProperty("model_version").GetString());
        Assert.Equal(1, host.Find("clf", "2")!.Stats.Requests);
        Assert.Equal(1, host.Find("clf", "10")!.Stats.Requests);
    }

    [Fact]
    public async Task Unloading_a_model_makes_it_404_and_the_server_not_ready_when_none_is_left()
    {
        var host = new ModelHost();
        await host.LoadAsync("clf", "1", TinyModel.Instance.PackageDirectory, cancellationToken: Cancel);
        await using var server = await ServingServer.StartAsync(host);

        Assert.True(await host.UnloadAsync("clf", "1"));
        var infer = await server.Http.PostJsonAsync("v2/models/clf/infer", Payloads.OpenInferenceInfer(TinyModel.Generate(1, seed: 1)), Cancel);
        var ready = await server.Http.GetJsonAsync("v2/health/ready", Cancel);
        var ping = await server.Http.GetAsync("ping", Cancel);

        Assert.Equal(HttpStatusCode.NotFound, infer.Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal(HttpStatusCode.NotFound, ping.StatusCode);
    }

    [Fact]
    public void Served_models_get_their_share_of_the_cores_per_predict_call_unless_the_caller_chose()
    {
        var perWorker = ModelHost.ServingLoadOptions(new BatchingOptions { MaxConcurrentBatches = Environment.ProcessorCount });
        var oneWorker = ModelHost.ServingLoadOptions(new BatchingOptions { MaxConcurrentBatches = 1 });
        var chosen = ModelHost.ServingLoadOptions(new BatchingOptions(),
            new ModelLoadOptions { Flavor = ModelFlavors.Onnx, WarmUp = false, OnnxIntraOpThreads = 3, OnnxSpinWait = true });

        Assert.Equal(1, perWorker.OnnxIntraOpThreads);
        Assert.Equal(Environment.ProcessorCount, oneWorker.OnnxIntraOpThreads);
        Assert.False(perWorker.OnnxSpinWait);
        Assert.True(perWorker.WarmUp);
        Assert.Equal(new ModelLoadOptions { Flavor = ModelFlavors.Onnx, WarmUp = true, OnnxIntraOpThreads = 3, OnnxSpinWait = true }, chosen);
    }

    [Fact]
    public async Task A_package_that_cannot_load_is_never_listed()
    {
        await using var host = new ModelHost();
        var empty = Directory.CreateTempSubdirectory("flightdeck-serving-empty-").FullName;

        await Assert.ThrowsAsync<ModelPackageException>(() => host.LoadAsync("broken", "1", empty, cancellationToken: Cancel));

        Assert.Empty(host.Models);
        Directory.Delete(empty);
    }
}
