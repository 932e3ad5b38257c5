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

    [Fact]
    public async Task Serve_with_an_inference_log_writes_json_lines_and_takes_a_request_timeout()
    {
        // Given a local model package and an empty log folder
        var logFolder = Path.Combine(Directory.CreateTempSubdirectory("flightdeck-serve-log-").FullName, "log");
        var console = new TestConsole().Width(250);
        using var stop = new CancellationTokenSource();

        // When flightdeck serve runs with the log on, answers two requests and stops
        var running = CliRunner.RunAsync(
            ["serve", "--model", TinyModel.Instance.PackageDirectory, "--port", "0", "--request-timeout", "5s",
                "--inference-log", logFolder, "--inference-log-sample-rate", "1"], stop.Token, console);
        var listening = Match.Empty;
        for (var i = 0; i < 600 && !listening.Success && !running.IsCompleted; i++)
        {
            await Task.Delay(100, Cancel);
            listening = ListeningLine().Match(console.Output);
        }
        Assert.True(listening.Success, running.IsCompleted ? (await running).ToString() : console.Output);
        using var http = new HttpClient { BaseAddress = new Uri(listening.Groups["url"].Value + "/") };
        var body = Payloads.DataframeSplit(TinyModel.Generate(2, seed: 6));
        var replies = new[] { await http.PostJsonAsync("invocations", body, Cancel), await http.PostJsonAsync("invocations", body, Cancel) };
        await stop.CancelAsync();
        var result = await running;

        // Then both inferences are in the log once it has stopped
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        var lines = Directory.GetFiles(logFolder, "*.jsonl").SelectMany(File.ReadAllLines).ToList();
        Assert.Equal(replies.Select(r => r.Response.Headers.GetValues("X-Request-Id").Single()).Order(),
            lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("request_id").GetString()!).Order());
        Assert.Contains("Inference log in", result.Output);
        Directory.Delete(Path.GetDirectoryName(logFolder)!, recursive: true);
    }

    [Theory]
    [InlineData("--inference-log-sample-rate", "1.5", "--inference-log-sample-rate must be between 0 and 1")]
    [InlineData("--request-timeout", "soon", "--request-timeout 'soon' is not a duration")]
    public async Task Serve_refuses_bad_observability_options(string option, string value, string message)
    {
        var result = await CliRunner.RunAsync("serve", "--model", TinyModel.Instance.PackageDirectory, "--port", "0", option, value);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.Errors + result.Output);
    }

    [GeneratedRegex(@"listening on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
