using System.Net;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Flightdeck.Server.Tests.Tracking.RunsTests;

namespace Flightdeck.Server.Tests.Robustness;

/// <summary>
/// The sweep's findings, one exact reproduction each, plus the body-size limits: each input here must be refused
/// with a 4xx on both engines, identically, and leave the store untouched.
/// </summary>
public sealed class InputEdgeTests
{
    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_body_that_is_not_JSON_is_refused_and_not_read_as_an_empty_request(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        await using var snapshot = await StoreSnapshot.OpenAsync(server.Services.GetRequiredService<Database>());
        var before = await snapshot.TakeAsync();

        // Each fails on its first byte; runs/create with {} would create a run in the default experiment.
        foreach (var body in new[] { "}", "<run/>", "run_id=x", "experiment_id: 0", "]" })
        {
            using var response = await server.PostRawAsync("runs/create", body);
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }

        Assert.Equal(before, await snapshot.TakeAsync());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task An_empty_body_still_reads_as_an_empty_request(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        foreach (var chunked in new[] { false, true })
        {
            HttpContent content = chunked ? new StreamContent(new NoLengthStream()) : new ByteArrayContent([]);
            using var response = await server.Http.PostAsync("api/2.0/mlflow/runs/create", content);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"chunked={chunked}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task NUL_characters_in_text_are_refused_with_400(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        var experimentId = (await server.PostOkAsync("experiments/create", new { name = "nul" })).GetProperty("experiment_id").GetString();
        await using var snapshot = await StoreSnapshot.OpenAsync(server.Services.GetRequiredService<Database>());
        var before = await snapshot.TakeAsync();

        var writes = new (string Route, object Body)[]
        {
            ("runs/set-tag", new { run_id = runId, key = "t", value = "a\0b" }),
            ("runs/log-parameter", new { run_id = runId, key = "p", value = "\0" }),
            ("runs/log-batch", new { run_id = runId, @params = new[] { new { key = "q", value = "x\0" } } }),
            ("runs/update", new { run_id = runId, run_name = "r\0" }),
            ("runs/create", new { experiment_id = experimentId, user_id = "u\0" }),
            ("experiments/create", new { name = "e\0" }),
            ("experiments/set-experiment-tag", new { experiment_id = experimentId, key = "k", value = "\0" }),
            ("runs/delete-tag", new { run_id = runId, key = "\0" }),
        };
        foreach (var (route, body) in writes)
        {
            using var response = await server.PostAsync(route, body);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest,
                $"{route}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        Assert.Equal(before, await snapshot.TakeAsync());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task NUL_characters_in_query_parameters_never_give_a_5xx(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        foreach (var query in new[]
        {
            $"metrics/get-history?run_id={runId}&metric_key=%00",
            $"metrics/get-history-bulk-interval?run_ids={runId}&metric_key=m%00",
            "experiments/get-by-name?experiment_name=%00",
        })
        {
            using var response = await server.GetAsync(query);
            Assert.True((int)response.StatusCode is >= 200 and < 500, $"{query}: {(int)response.StatusCode}");
        }
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_page_token_whose_offset_is_not_a_number_is_refused_with_400(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);

        // base64 of {"offset": "10"} and {"offset": null}: JsonElement.TryGetInt64 throws on a non-number.
        foreach (var token in new[] { "eyJvZmZzZXQiOiAiMTAifQ==", "eyJvZmZzZXQiOiBudWxsfQ==" })
        {
            using (var response = await server.PostAsync("runs/search", new { experiment_ids = new[] { "0" }, page_token = token }))
            {
                await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
            }

            using (var response = await server.GetAsync($"experiments/search?page_token={Uri.EscapeDataString(token)}"))
            {
                await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
            }

            using (var response = await server.GetAsync($"metrics/get-history?run_id={runId}&metric_key=m&page_token={Uri.EscapeDataString(token)}"))
            {
                await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
            }
        }
    }

    [Fact]
    public async Task An_artifact_name_longer_than_the_file_system_allows_is_refused_with_400()
    {
        await using var server = await TestServer.StartAsync();

        // 300 characters: over Linux's 255-byte NAME_MAX, under ArtifactPath.MaxLength (1024), so it reached the disk.
        var path = "api/2.0/mlflow-artifacts/artifacts/a/" + new string('x', 300) + ".txt";
        using (var put = await server.Http.PutAsync(path, new ByteArrayContent([1, 2, 3])))
        {
            await TestServer.ReadErrorAsync(put, 400, ErrorCode.InvalidParameterValue);
        }

        using var get = await server.Http.GetAsync(path);
        Assert.True((int)get.StatusCode is 400 or 404, $"{(int)get.StatusCode} {await get.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Text_longer_than_its_column_is_refused_with_400_on_both_engines(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        await using var snapshot = await StoreSnapshot.OpenAsync(server.Services.GetRequiredService<Database>());
        var before = await snapshot.TakeAsync();

        // runs.user_id is VARCHAR(256) and datasets.source_type VARCHAR(36): SQLite stored anything, PostgreSQL answered 500.
        using (var response = await server.PostAsync("runs/create", new { user_id = new string('u', 257) }))
        {
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }

        using (var response = await server.PostAsync("runs/log-inputs", new
        {
            run_id = runId,
            datasets = new[] { new { dataset = new { name = "d", digest = "x", source_type = new string('s', 37), source = "{}" } } },
        }))
        {
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }

        Assert.Equal(before, await snapshot.TakeAsync());
    }

    private sealed class NoLengthStream() : MemoryStream([])
    {
        public override bool CanSeek => false;
    }
}
