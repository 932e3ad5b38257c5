using System.Net;
using System.Text.Json;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Cli.Tests.Infrastructure;
using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.Contracts;
using Flightdeck.Models;
using Flightdeck.Serving.Tests.Infrastructure;

namespace Flightdeck.Cli.Tests;

public sealed class BuildDockerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Build_docker_writes_a_context_whose_entrypoint_serves_the_baked_model()
    {
        // Given a registered model version
        await using var server = await TestServer.StartAsync();
        var runId = await TinyModelRegistry.RegisterAsync(server, cancellationToken: Ct);
        var output = Path.Combine(server.WorkDir, "image");

        // When the build context is written
        var result = await CliRunner.RunAsync("models", "build-docker", "models:/clf@champion", "--output", output, "--tracking-uri",
            server.BaseAddress.ToString());

        // Then it holds the model package, a Dockerfile that runs it as a non-root user, a .dockerignore and a README
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("model 'clf' version 1", result.Output);
        Assert.True(File.Exists(Path.Combine(output, "model", "MLmodel")));
        var dockerfile = Dockerfile.Parse(await File.ReadAllTextAsync(Path.Combine(output, "Dockerfile"), Ct));
        Assert.Equal("FROM", dockerfile[0].Instruction);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", dockerfile[0].Arguments);
        Assert.Contains(dockerfile, i => i is { Instruction: "COPY", Arguments: "model/ /opt/model/" });
        Assert.Contains(dockerfile, i => i is { Instruction: "COPY", Arguments: "app/ /opt/flightdeck/" });
        var user = Assert.Single(dockerfile, i => i.Instruction == "USER").Arguments;
        Assert.True(int.TryParse(user, out var uid) && uid > 0, $"USER {user} must be a non-root numeric user");
        Assert.True(dockerfile.FindIndex(i => i.Instruction == "USER") > dockerfile.FindLastIndex(i => i.Instruction == "COPY"), "USER comes after the COPYs");
        Assert.Equal("8080", Assert.Single(dockerfile, i => i.Instruction == "EXPOSE").Arguments);
        var label = Assert.Single(dockerfile, i => i.Instruction == "LABEL").Arguments;
        Assert.Contains("ai.flightdeck.model.version=\"1\"", label);
        Assert.Contains($"ai.flightdeck.model.run-id=\"{runId}\"", label);
        var healthcheck = Assert.Single(dockerfile, i => i.Instruction == "HEALTHCHECK").Arguments;
        Assert.StartsWith("--interval=", healthcheck);
        var probe = JsonSerializer.Deserialize<string[]>(healthcheck[(healthcheck.IndexOf("CMD ", StringComparison.Ordinal) + 4)..])!;
        Assert.Equal("http://127.0.0.1:8080/ping", probe[^1]);
        var entrypoint = JsonSerializer.Deserialize<string[]>(Assert.Single(dockerfile, i => i.Instruction == "ENTRYPOINT").Arguments)!;
        Assert.Equal(["dotnet", "/opt/flightdeck/flightdeck.dll", "serve", "--model", "/opt/model", "--host", "0.0.0.0", "--port", "8080"], entrypoint);
        var ignore = await File.ReadAllTextAsync(Path.Combine(output, ".dockerignore"), Ct);
        Assert.Contains("!model/", ignore);
        Assert.Contains("!app/", ignore);
        var readme = await File.ReadAllTextAsync(Path.Combine(output, "README.md"), Ct);
        Assert.Contains("dotnet publish", readme);
        Assert.Contains("-r linux-x64 --self-contained false", readme);
        Assert.Contains("docker build -t flightdeck-clf:1 .", readme);

        // And the entrypoint's command, run on the context's model folder (loopback and a free port instead of the
        // container's 0.0.0.0:8080), answers /ping and /invocations, and the HEALTHCHECK command passes against it
        var serveArgs = entrypoint[2..];
        serveArgs[Array.IndexOf(serveArgs, "--model") + 1] = Path.Combine(output, "model");
        serveArgs[Array.IndexOf(serveArgs, "--host") + 1] = "127.0.0.1";
        serveArgs[Array.IndexOf(serveArgs, "--port") + 1] = "0";
        await using var serving = await BackgroundCli.StartServingAsync(serveArgs, Ct);
        using var http = new HttpClient { BaseAddress = serving.Address };
        var ping = await http.GetAsync("ping", Ct);
        var rows = TinyModel.Generate(4, seed: 5);
        var scored = await http.PostAsync("invocations", new StringContent(Payloads.DataframeSplit(rows), System.Text.Encoding.UTF8, "application/json"), Ct);
        var healthy = await CliRunner.RunAsync(probe[2..^1].Append(new Uri(serving.Address, "ping").ToString()).ToArray());
        var stopped = await serving.StopAsync();

        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.True(scored.StatusCode == HttpStatusCode.OK, await scored.Content.ReadAsStringAsync(Ct));
        using var predictions = JsonDocument.Parse(await scored.Content.ReadAsStringAsync(Ct));
        using var direct = ModelLoader.Load(TinyModel.Instance.PackageDirectory);
        Payloads.AssertSamePredictions(direct.Predict(TinyModel.Batch(rows)), predictions.RootElement.GetProperty("predictions"));
        Assert.True(healthy.ExitCode == 0, healthy.ToString());
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
        Assert.Contains("Loaded model version 1 (mlnet)", stopped.Output);
    }

    [Fact]
    public async Task Build_docker_refuses_bad_input_with_the_documented_exit_codes()
    {
        await using var server = await TestServer.StartAsync();
        await TinyModelRegistry.RegisterAsync(server, cancellationToken: Ct);
        var uri = server.BaseAddress.ToString();
        var output = Path.Combine(server.WorkDir, "image");
        using (var client = server.CreateClient())
        {
            // A run folder holding a file but no MLmodel: not a model package.
            await using var run = await client.StartRunAsync("not-a-model", cancellationToken: Ct);
            var folder = server.CreateLocalFolder("notes");
            await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "hello", Ct);
            await client.UploadArtifactAsync(run.RunId, folder, "notes", cancellationToken: Ct);
            var notAPackage = await CliRunner.RunAsync("models", "build-docker", $"runs:/{run.RunId}/notes", "--output",
                Path.Combine(server.WorkDir, "notes-image"), "--tracking-uri", uri);
            Assert.Equal(ExitCodes.InvalidInput, notAPackage.ExitCode);
            Assert.Contains("no MLmodel file", notAPackage.Errors);
        }

        var first = await CliRunner.RunAsync("models", "build-docker", "models:/clf/1", "--output", output, "--tracking-uri", uri);
        var again = await CliRunner.RunAsync("models", "build-docker", "models:/clf/1", "--output", output, "--tracking-uri", uri);
        var forced = await CliRunner.RunAsync("models", "build-docker", "models:/clf/1", "--output", output, "--force", "--image-name",
            "registry.local:5000/team/clf:v1", "--json", "--tracking-uri", uri);
        var missing = await CliRunner.RunAsync("models", "build-docker", "models:/nope/1", "--output", Path.Combine(server.WorkDir, "x"), "--tracking-uri", uri);
        var badImage = await CliRunner.RunAsync("models", "build-docker", "models:/clf/1", "--output", output, "--image-name", "Bad Name", "--tracking-uri", uri);
        var badUri = await CliRunner.RunAsync("models", "build-docker", "clf", "--output", output, "--tracking-uri", uri);
        var noOutput = await CliRunner.RunAsync("models", "build-docker", "models:/clf/1", "--tracking-uri", uri);
        var badRuntime = await CliRunner.RunAsync("models", "build-docker", "models:/clf/1", "--output", output, "--runtime", "win-x64", "--tracking-uri", uri);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(ExitCodes.InvalidInput, again.ExitCode);
        Assert.Contains("--force", again.Errors);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        using var json = JsonDocument.Parse(forced.Output);
        Assert.Equal("registry.local:5000/team/clf:v1", json.RootElement.GetProperty("image_name").GetString());
        Assert.Equal("1", json.RootElement.GetProperty("version").GetString());
        Assert.Contains("docker build -t registry.local:5000/team/clf:v1 .", await File.ReadAllTextAsync(Path.Combine(output, "README.md"), Ct));
        Assert.Equal(ExitCodes.NotFound, missing.ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, badImage.ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, badUri.ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, noOutput.ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, badRuntime.ExitCode);
    }

    [Fact]
    public async Task Healthcheck_fails_when_nothing_answers()
    {
        var result = await CliRunner.RunAsync("healthcheck", "http://127.0.0.1:1/ping", "--timeout", "2s");
        var badUrl = await CliRunner.RunAsync("healthcheck", "ftp://example/ping");

        Assert.Equal(ExitCodes.Error, result.ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, badUrl.ExitCode);
    }

    /// <summary>A Dockerfile's instructions, with continuation lines joined and comments dropped.</summary>
    private static class Dockerfile
    {
        public static List<(string Instruction, string Arguments)> Parse(string text)
        {
            var instructions = new List<(string, string)>();
            var pending = "";
            foreach (var raw in text.Split('\n'))
            {
                var line = raw.TrimEnd();
                if (pending.Length == 0 && (line.TrimStart().StartsWith('#') || line.Length == 0))
                {
                    continue;
                }

                if (line.EndsWith('\\'))
                {
                    pending += line[..^1].Trim() + " ";
                    continue;
                }

                var full = (pending + line.Trim()).Trim();
                pending = "";
                var space = full.IndexOf(' ');
                instructions.Add((full[..space].ToUpperInvariant(), full[(space + 1)..].Trim()));
            }

            return instructions;
        }
    }
}
