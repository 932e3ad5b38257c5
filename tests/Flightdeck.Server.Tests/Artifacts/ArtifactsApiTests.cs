using System.Net;
using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Server.Tests.Artifacts;

/// <summary>MLflow's proxied artifact service over each store: what a client uploads it lists, downloads byte for byte and deletes.</summary>
public sealed class ArtifactsApiTests
{
    private const string RunRoot = "1/0f3c9a7e2b1d4c5e8a9b0c1d2e3f4a5b/artifacts";

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task Uploaded_files_are_listed_one_level_at_a_time(string store)
    {
        await using var server = await ArtifactServer.StartAsync(store);
        await server.PutOkAsync($"{RunRoot}/model/MLmodel", "flavors: {}\n"u8.ToArray());
        await server.PutOkAsync($"{RunRoot}/model/data/weights.bin", new byte[1234]);
        await server.PutOkAsync($"{RunRoot}/metrics.txt", "0.93"u8.ToArray());

        Assert.Equal([("1", true, null)], await server.ListOkAsync(null));
        Assert.Equal([("1", true, null)], await server.ListOkAsync(""));
        Assert.Equal([("metrics.txt", false, 4L), ("model", true, null)], await server.ListOkAsync(RunRoot));
        Assert.Equal([("MLmodel", false, 12L), ("data", true, null)], await server.ListOkAsync($"{RunRoot}/model"));
        Assert.Equal([("weights.bin", false, 1234L)], await server.ListOkAsync($"{RunRoot}/model/data"));
    }

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task Listing_a_missing_folder_or_a_file_is_empty(string store)
    {
        await using var server = await ArtifactServer.StartAsync(store);
        await server.PutOkAsync($"{RunRoot}/a.txt", "a"u8.ToArray());

        Assert.Empty(await server.ListOkAsync("no/such/folder"));
        Assert.Empty(await server.ListOkAsync($"{RunRoot}/a.txt"));
    }

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task Binary_content_downloads_byte_for_byte_as_an_attachment(string store)
    {
        await using var server = await ArtifactServer.StartAsync(store);
        var content = new byte[300_000];
        new Random(42).NextBytes(content);
        content[0] = 0;
        content[1] = 0xFF;
        await server.PutOkAsync($"{RunRoot}/nested/deeper/blob.bin", content);

        using var response = await server.GetAsync($"{RunRoot}/nested/deeper/blob.bin");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(content.Length, response.Content.Headers.ContentLength);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("blob.bin", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task Files_with_spaces_and_unicode_in_their_names_round_trip(string store)
    {
        await using var server = await ArtifactServer.StartAsync(store);
        var name = "my plots/confusion matrix é+%.png";

        await server.PutOkAsync($"{RunRoot}/{Uri.EscapeDataString(name).Replace("%2F", "/", StringComparison.Ordinal)}", [1, 2, 3]);

        Assert.Equal([("confusion matrix é+%.png", false, 3L)], await server.ListOkAsync($"{RunRoot}/my plots"));
        Assert.Equal([1, 2, 3], await server.GetBytesOkAsync($"{RunRoot}/my%20plots/confusion%20matrix%20%C3%A9%2B%25.png"));
    }

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task Uploading_again_replaces_the_file(string store)
    {
        await using var server = await ArtifactServer.StartAsync(store);
        await server.PutOkAsync($"{RunRoot}/notes.txt", "first version, longer"u8.ToArray());

        await server.PutOkAsync($"{RunRoot}/notes.txt", "second"u8.ToArray());

        Assert.Equal("second"u8.ToArray(), await server.GetBytesOkAsync($"{RunRoot}/notes.txt"));
        Assert.Equal([("notes.txt", false, 6L)], await server.ListOkAsync(RunRoot));
    }

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task Empty_files_round_trip(string store)
    {
        await using var server = await ArtifactServer.StartAsync(store);

        await server.PutOkAsync($"{RunRoot}/empty", []);

        Assert.Empty(await server.GetBytesOkAsync($"{RunRoot}/empty"));
        Assert.Equal([("empty", false, 0L)], await server.ListOkAsync(RunRoot));
    }

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task Deleting_a_file_or_a_folder_removes_it_and_everything_under_it(string store)
    {
        await using var server = await ArtifactServer.StartAsync(store);
        await server.PutOkAsync($"{RunRoot}/keep.txt", "k"u8.ToArray());
        await server.PutOkAsync($"{RunRoot}/drop.txt", "d"u8.ToArray());
        await server.PutOkAsync($"{RunRoot}/model/MLmodel", "m"u8.ToArray());
        await server.PutOkAsync($"{RunRoot}/model/data/w.bin", "w"u8.ToArray());

        using (var deleteFile = await server.DeleteAsync($"{RunRoot}/drop.txt"))
        {
            Assert.Equal("{}", (await TestServer.ReadOkAsync(deleteFile)).GetRawText());
        }

        using (var deleteFolder = await server.DeleteAsync($"{RunRoot}/model"))
        {
            Assert.Equal("{}", (await TestServer.ReadOkAsync(deleteFolder)).GetRawText());
        }

        Assert.Equal([("keep.txt", false, 1L)], await server.ListOkAsync(RunRoot));
        Assert.Empty(await server.ListOkAsync($"{RunRoot}/model"));
        using var gone = await server.GetAsync($"{RunRoot}/model/data/w.bin");
        await TestServer.ReadErrorAsync(gone, 404, ErrorCode.ResourceDoesNotExist);
    }

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task Deleting_a_missing_path_succeeds(string store)
    {
        await using var server = await ArtifactServer.StartAsync(store);

        using var response = await server.DeleteAsync($"{RunRoot}/never/uploaded.txt");

        Assert.Equal("{}", (await TestServer.ReadOkAsync(response)).GetRawText());
    }

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task Downloading_a_missing_file_or_a_folder_is_RESOURCE_DOES_NOT_EXIST(string store)
    {
        await using var server = await ArtifactServer.StartAsync(store);
        await server.PutOkAsync($"{RunRoot}/model/MLmodel", "m"u8.ToArray());

        using var missing = await server.GetAsync($"{RunRoot}/missing.txt");
        await TestServer.ReadErrorAsync(missing, 404, ErrorCode.ResourceDoesNotExist);
        using var folder = await server.GetAsync($"{RunRoot}/model");
        await TestServer.ReadErrorAsync(folder, 404, ErrorCode.ResourceDoesNotExist);
    }

    [Fact]
    public async Task The_ajax_api_prefix_serves_the_same_artifacts()
    {
        await using var server = await ArtifactServer.StartAsync(ArtifactStores.Local);
        await server.PutOkAsync($"{RunRoot}/a.txt", "a"u8.ToArray());

        Assert.Equal("a", await server.Http.GetStringAsync($"ajax-api/2.0/mlflow-artifacts/artifacts/{RunRoot}/a.txt"));
    }

    [Fact]
    public async Task Writing_a_file_where_a_folder_is_or_under_a_file_is_a_clear_400()
    {
        await using var server = await ArtifactServer.StartAsync(ArtifactStores.Local);
        await server.PutOkAsync($"{RunRoot}/model/MLmodel", "m"u8.ToArray());

        using var overFolder = await server.PutAsync($"{RunRoot}/model", [1]);
        await TestServer.ReadErrorAsync(overFolder, 400, ErrorCode.InvalidParameterValue);
        using var underFile = await server.PutAsync($"{RunRoot}/model/MLmodel/inner", [1]);
        await TestServer.ReadErrorAsync(underFile, 400, ErrorCode.InvalidParameterValue);
    }

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task Paths_through_a_file_read_as_missing(string store)
    {
        await using var server = await ArtifactServer.StartAsync(store);
        await server.PutOkAsync($"{RunRoot}/a.txt", "a"u8.ToArray());

        using var read = await server.GetAsync($"{RunRoot}/a.txt/inner");
        await TestServer.ReadErrorAsync(read, 404, ErrorCode.ResourceDoesNotExist);
        Assert.Empty(await server.ListOkAsync($"{RunRoot}/a.txt/inner"));
        using var delete = await server.DeleteAsync($"{RunRoot}/a.txt/inner");
        await TestServer.ReadOkAsync(delete);
        Assert.Equal([("a.txt", false, 1L)], await server.ListOkAsync(RunRoot));
    }

    [Theory]
    [MemberData(nameof(ArtifactStores.All), MemberType = typeof(ArtifactStores))]
    public async Task Names_too_long_for_a_file_system_are_a_clear_400(string store)
    {
        await using var server = await ArtifactServer.StartAsync(store);

        using var response = await server.PutAsync($"{RunRoot}/{new string('n', 300)}.txt", [1]);

        await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
    }
}
