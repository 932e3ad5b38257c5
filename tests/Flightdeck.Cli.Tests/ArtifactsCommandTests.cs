using System.Security.Cryptography;
using System.Text.Json;
using Flightdeck.Cli.Infrastructure;
using Flightdeck.Cli.Tests.Infrastructure;
using Flightdeck.Client.Tests.Infrastructure;
using Flightdeck.Contracts;

namespace Flightdeck.Cli.Tests;

public sealed class ArtifactsCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> CreateRunAsync(TestServer server)
    {
        using var client = server.CreateClient();
        var experimentId = await client.GetOrCreateExperimentAsync("artifacts", Ct);
        return (await client.CreateRunAsync(new CreateRunRequest { ExperimentId = experimentId }, Ct)).Run.Info.RunId;
    }

    [Fact]
    public async Task A_directory_round_trips_through_upload_and_download()
    {
        await using var server = await TestServer.StartAsync();
        var runId = await CreateRunAsync(server);
        var uri = server.BaseAddress.ToString();
        var local = server.CreateLocalFolder("model");
        await File.WriteAllTextAsync(Path.Combine(local, "MLmodel"), "flavors: {}", Ct);
        Directory.CreateDirectory(Path.Combine(local, "data"));
        var weights = RandomNumberGenerator.GetBytes(6 * 1024 * 1024);
        await File.WriteAllBytesAsync(Path.Combine(local, "data", "weights.bin"), weights, Ct);
        var destination = server.CreateLocalFolder("download");

        var upload = await CliRunner.RunAsync("artifacts", "upload", local, "--run-id", runId, "--artifact-path", "model", "--tracking-uri", uri);
        var download = await CliRunner.RunAsync("artifacts", "download", "--run-id", runId, "--artifact-path", "model", "--dest", destination,
            "--json", "--tracking-uri", uri);

        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Contains($"Uploaded 2 file(s), 6.0 MiB, to run {runId}.", upload.Output);
        Assert.True(download.ExitCode == 0, download.ToString());
        using var result = JsonDocument.Parse(download.Output);
        Assert.Equal(Path.Combine(destination, "model"), result.RootElement.GetProperty("local_path").GetString());
        Assert.Equal(weights.Length + 11, result.RootElement.GetProperty("bytes").GetInt64());
        Assert.Equal(weights, await File.ReadAllBytesAsync(Path.Combine(destination, "model", "data", "weights.bin"), Ct));
        Assert.Equal("flavors: {}", await File.ReadAllTextAsync(Path.Combine(destination, "model", "MLmodel"), Ct));
    }

    [Fact]
    public async Task A_single_file_downloads_into_the_destination()
    {
        await using var server = await TestServer.StartAsync();
        var runId = await CreateRunAsync(server);
        var uri = server.BaseAddress.ToString();
        var file = Path.Combine(server.CreateLocalFolder("src"), "metrics.csv");
        await File.WriteAllTextAsync(file, "step,loss\n1,0.5\n", Ct);
        var destination = server.CreateLocalFolder("dst");

        var upload = await CliRunner.RunAsync("artifacts", "upload", file, "--run-id", runId, "--json", "--tracking-uri", uri);
        var download = await CliRunner.RunAsync("artifacts", "download", "--run-id", runId, "--artifact-path", "metrics.csv", "-d", destination,
            "--tracking-uri", uri);

        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Contains("\"files\": 1", upload.Output);
        Assert.True(download.ExitCode == 0, download.ToString());
        Assert.Equal("step,loss\n1,0.5\n", await File.ReadAllTextAsync(Path.Combine(destination, "metrics.csv"), Ct));
    }

    [Fact]
    public async Task Artifacts_list_prints_a_table_or_json()
    {
        await using var server = await TestServer.StartAsync();
        var runId = await CreateRunAsync(server);
        var uri = server.BaseAddress.ToString();
        using (var client = server.CreateClient())
        {
            await client.UploadArtifactAsync(runId, new MemoryStream(new byte[2048]), "model/weights.bin", cancellationToken: Ct);
            await client.UploadArtifactAsync(runId, new MemoryStream(new byte[5]), "notes.txt", cancellationToken: Ct);
        }

        var table = await CliRunner.RunAsync("artifacts", "list", "--run-id", runId, "--tracking-uri", uri);
        var json = await CliRunner.RunAsync("artifacts", "list", "--run-id", runId, "--path", "model", "--json", "--tracking-uri", uri);

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("notes.txt", table.Output);
        Assert.Contains("5 B", table.Output);
        Assert.Contains("dir", table.Output);
        var listing = JsonSerializer.Deserialize(json.Output, FlightdeckJsonContext.Default.ListArtifactsResponse)!;
        Assert.Equal(2048, Assert.Single(listing.Files).FileSize);
    }

    [Fact]
    public async Task Missing_local_files_and_remote_artifacts_exit_3()
    {
        await using var server = await TestServer.StartAsync();
        var runId = await CreateRunAsync(server);
        var uri = server.BaseAddress.ToString();

        var upload = await CliRunner.RunAsync("artifacts", "upload", "/no/such/file", "--run-id", runId, "--tracking-uri", uri);
        var download = await CliRunner.RunAsync("artifacts", "download", "--run-id", runId, "--artifact-path", "nope.bin", "-d",
            server.CreateLocalFolder("d"), "--tracking-uri", uri);
        var noRun = await CliRunner.RunAsync("artifacts", "list", "--tracking-uri", uri);

        Assert.Equal(ExitCodes.NotFound, upload.ExitCode);
        Assert.Equal(ExitCodes.NotFound, download.ExitCode);
        Assert.Equal(ExitCodes.InvalidInput, noRun.ExitCode);
        Assert.Contains("--run-id is required", noRun.Errors);
    }
}
