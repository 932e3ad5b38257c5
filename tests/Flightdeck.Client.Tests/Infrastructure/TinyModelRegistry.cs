using Flightdeck.Contracts;
using Flightdeck.Serving.Tests.Infrastructure;

namespace Flightdeck.Client.Tests.Infrastructure;

/// <summary>Registers the tiny ML.NET model package (see TinyModel) on a test server, so endpoints and serving have a real model.</summary>
public static class TinyModelRegistry
{
    /// <summary>Logs the package to a run and registers it as versions 1..<paramref name="versions"/> of
    /// <paramref name="name"/>, with alias champion on version 1. Returns the run id.</summary>
    public static async Task<string> RegisterAsync(TestServer server, string name = "clf", int versions = 1, CancellationToken cancellationToken = default)
    {
        using var client = server.CreateClient();
        var experimentId = await client.CreateExperimentAsync("tiny-" + name, cancellationToken: cancellationToken);
        var run = await client.CreateRunAsync(new CreateRunRequest { ExperimentId = experimentId }, cancellationToken);
        var runId = run.Run.Info.RunId;
        await client.UploadArtifactAsync(runId, TinyModel.Instance.PackageDirectory, "model", cancellationToken: cancellationToken);
        await client.CreateRegisteredModelAsync(name, cancellationToken: cancellationToken);
        for (var i = 0; i < versions; i++)
        {
            await client.CreateModelVersionAsync(name, $"runs:/{runId}/model", runId, cancellationToken: cancellationToken);
        }

        await client.SetRegisteredModelAliasAsync(name, "champion", "1", cancellationToken);
        return runId;
    }
}
