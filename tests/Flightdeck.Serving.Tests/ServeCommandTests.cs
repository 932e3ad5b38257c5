using System.Net;
using System.Text.RegularExpressions;
using Flightdeck.Client;
using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.Cli.Tests.Infrastructure;
using Flightdeck.Contracts;
using Flightdeck.Models;
using Flightdeck.Serving.Tests.Infrastructure;
using Spectre.Console.Testing;

namespace Flightdeck.Serving.Tests;

public sealed partial class ServeCommandTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Serve_loads_a_registered_model_by_alias_and_answers_invocations()
    {
        // Given a model package logged to a run and registered as version 1 with alias champion
        await using var tracking = await TestServer.StartAsync();
        using var client = tracking.CreateClient();
        var experimentId = await client.CreateExperimentAsync("serving", cancellationToken: Cancel);
        var run = await client.CreateRunAsync(new CreateRunRequest { ExperimentId = experimentId }, Cancel);
        var runId = run.Run.Info.RunId;
        await client.UploadArtifactAsync(runId, TinyModel.Instance.PackageDirectory, "model", cancellationToken: Cancel);
        await client.CreateRegisteredModelAsync("clf", cancellationToken: Cancel);
        var version = await client.CreateModelVersionAsync("clf", $"runs:/{runId}/model", runId, cancellationToken: Cancel);
        await client.SetRegisteredModelAliasAsync("clf", "champion", version.Version, Cancel);

        // When flightdeck serve runs against it
        var console = new TestConsole().Width(250);
        using var stop = new CancellationTokenSource();
        var running = CliRunner.RunAsync(
            ["serve", "--model", "models:/clf@champion", "--port", "0", "--tracking-uri", tracking.BaseAddress.ToString(),
                "--max-batch-size", "4", "--max-batch-delay-ms", "1", "--max-queue", "50"], stop.Token, console);
        var listening = Match.Empty;
        for (var i = 0; i < 600 && !listening.Success && !running.IsCompleted; i++)
        {
            await Task.Delay(100, Cancel);
            listening = ListeningLine().Match(console.Output);
        }
        Assert.True(listening.Success, running.IsCompleted ? (await running).ToString() : console.Output);

        // Then /invocations answers with the model's predictions, and it stops cleanly
        using var http = new HttpClient { BaseAddress = new Uri(listening.Groups["url"].Value + "/") };
        var rows = TinyModel.Generate(3, seed: 21);
        var reply = await http.PostJsonAsync("invocations", Payloads.DataframeSplit(rows), Cancel);
        var metadata = await http.GetJsonAsync("v2/models/clf/versions/1", Cancel);
        await stop.CancelAsync();
        var result = await running;

        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        using var direct = ModelLoader.Load(TinyModel.Instance.PackageDirectory);
        Payloads.AssertSamePredictions(direct.Predict(TinyModel.Batch(rows)), reply.Body.GetProperty("predictions"));
        Assert.Equal(HttpStatusCode.OK, metadata.Status);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Loaded clf version 1 (mlnet)", result.Output);
        Assert.Contains("Serving stopped.", result.Output);
    }

    [Fact]
    public async Task Serve_refuses_an_unknown_model_with_one_error_line()
    {
        await using var tracking = await TestServer.StartAsync();

        var result = await CliRunner.RunAsync("serve", "--model", "models:/missing/1", "--port", "0", "--tracking-uri", tracking.BaseAddress.ToString());

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("Error: ", result.Errors);
    }

    [Fact]
    public async Task Serve_refuses_a_folder_that_is_not_a_model_package()
    {
        var folder = Directory.CreateTempSubdirectory("flightdeck-not-a-model-").FullName;

        var result = await CliRunner.RunAsync("serve", "--model", folder, "--port", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("MLmodel", result.Errors);
        Directory.Delete(folder);
    }

    [GeneratedRegex(@"listening on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
