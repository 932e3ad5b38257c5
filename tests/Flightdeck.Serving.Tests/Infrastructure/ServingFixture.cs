using Flightdeck.Models;

namespace Flightdeck.Serving.Tests.Infrastructure;

/// <summary>One serving process for a test class, holding the tiny model twice: "clf" version 1 through ML.NET and
/// "clf-onnx" version 1 through ONNX Runtime, plus direct predictors to compare against.</summary>
public sealed class ServingFixture : IAsyncLifetime
{
    public ServingServer Server { get; private set; } = null!;

    public IPredictor DirectMlNet { get; private set; } = null!;

    public IPredictor DirectOnnx { get; private set; } = null!;

    public HttpClient Http => Server.Http;

    public async ValueTask InitializeAsync()
    {
        var directory = TinyModel.Instance.PackageDirectory;
        DirectMlNet = ModelLoader.Load(directory, new ModelLoadOptions { Flavor = ModelFlavors.MlNet });
        DirectOnnx = ModelLoader.Load(directory, new ModelLoadOptions { Flavor = ModelFlavors.Onnx });
        var host = new ModelHost();
        await host.LoadAsync("clf", "1", directory, loadOptions: new ModelLoadOptions { Flavor = ModelFlavors.MlNet });
        await host.LoadAsync("clf-onnx", "1", directory, loadOptions: new ModelLoadOptions { Flavor = ModelFlavors.Onnx });
        Server = await ServingServer.StartAsync(host, maxBodyBytes: 64 * 1024);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        DirectMlNet.Dispose();
        DirectOnnx.Dispose();
    }
}
