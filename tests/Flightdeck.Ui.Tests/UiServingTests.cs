using System.Net;
using System.Net.Http.Headers;
using Flightdeck.Contracts;
using Flightdeck.Server.Tests.Infrastructure;

namespace Flightdeck.Ui.Tests;

/// <summary>How the server hands out the app next to its APIs, and the downsampled-metric endpoint's answers to bad input.</summary>
public sealed class UiServingTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/experiments")]
    [InlineData("/experiments/1")]
    [InlineData("/runs/abc.def")]
    [InlineData("/models/my%20model")]
    public async Task Every_page_path_serves_the_app(string path)
    {
        await using var server = await TestServer.StartAsync();

        using var response = await server.Http.GetAsync(path.TrimStart('/'));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/assets/app.js", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assets_are_served_compressed_and_revalidated_by_etag()
    {
        await using var server = await TestServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "assets/app.js");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gzip", response.Content.Headers.ContentEncoding.Single());
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        var etag = response.Headers.ETag!;
        using var again = new HttpRequestMessage(HttpMethod.Get, "assets/app.js");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await server.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var missing = await server.Http.GetAsync("assets/nope.js");
        await TestServer.ReadErrorAsync(missing, 404, ErrorCode.ResourceDoesNotExist);
    }

    [Fact]
    public async Task Api_routes_keep_their_own_answers_next_to_the_app()
    {
        await using var server = await TestServer.StartAsync();

        using (var unknownApi = await server.Http.GetAsync("api/2.0/mlflow/no-such-route"))
        {
            await TestServer.ReadErrorAsync(unknownApi, 404, ErrorCode.EndpointNotFound);
        }

        using (var unknownAjax = await server.Http.GetAsync("ajax-api/2.0/mlflow/experiments/nope"))
        {
            await TestServer.ReadErrorAsync(unknownAjax, 404, ErrorCode.EndpointNotFound);
        }

        using (var postToPage = await server.Http.PostAsync("experiments", new StringContent("{}")))
        {
            await TestServer.ReadErrorAsync(postToPage, 404, ErrorCode.EndpointNotFound);
        }

        var experiments = await server.GetOkAsync("experiments/search?max_results=10");
        Assert.Equal("Default", experiments.GetProperty("experiments")[0].GetProperty("name").GetString());
        Assert.Equal("OK", await server.Http.GetStringAsync("health"));
    }

    [Fact]
    public async Task Downsampled_metrics_answer_bad_input_with_clear_4xx_errors()
    {
        await using var server = await TestServer.StartAsync();
        var runId = (await server.PostOkAsync("runs/create", new { experiment_id = "0" })).GetProperty("run").GetProperty("info").GetProperty("run_id").GetString();
        const string route = "api/flightdeck/v1/metrics/downsampled";

        foreach (var query in new[]
        {
            "key=loss", $"run_id={runId}", $"run_id={runId}&key=loss&points=1", $"run_id={runId}&key=loss&points=99999999999",
            $"run_id={runId}&key=loss&points=ten", $"run_id={runId}&key=loss&min_step=5&max_step=1", $"run_id={runId}&key=loss&points=10&points=20",
        })
        {
            using var response = await server.Http.GetAsync($"{route}?{query}");
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }

        using var unknownRun = await server.Http.GetAsync($"{route}?run_id=0123456789abcdef0123456789abcdef&key=loss");
        await TestServer.ReadErrorAsync(unknownRun, 404, ErrorCode.ResourceDoesNotExist);
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task Downsampled_metrics_skip_non_finite_points_and_keep_a_step_range(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = (await server.PostOkAsync("runs/create", new { experiment_id = "0" })).GetProperty("run").GetProperty("info").GetProperty("run_id").GetString();
        var metrics = Enumerable.Range(0, 50).Select(step => new { key = "loss", value = (object)(step == 7 ? "NaN" : step * 2.0), timestamp = 1000L + step, step });
        await server.PostOkAsync("runs/log-batch", new { run_id = runId, metrics });

        var all = await GetJsonAsync(server, $"api/flightdeck/v1/metrics/downsampled?run_id={runId}&key=loss&points=1000");
        Assert.Equal(49, all.GetProperty("total_points").GetInt32());
        Assert.Equal(1, all.GetProperty("non_finite_points").GetInt32());
        Assert.False(all.GetProperty("downsampled").GetBoolean());

        var range = await GetJsonAsync(server, $"api/flightdeck/v1/metrics/downsampled?run_id={runId}&key=loss&points=4&min_step=10&max_step=29");
        Assert.Equal(20, range.GetProperty("total_points").GetInt32());
        Assert.True(range.GetProperty("downsampled").GetBoolean());
        Assert.Equal([10L, 29L], new[] { range.GetProperty("steps")[0].GetInt64(), range.GetProperty("steps")[3].GetInt64() });
        Assert.Equal(4, range.GetProperty("values").GetArrayLength());
        Assert.Equal(4, range.GetProperty("timestamps").GetArrayLength());

        // Points logged out of step order come back sorted by step.
        await server.PostOkAsync("runs/log-batch", new { run_id = runId, metrics = new[] { new { key = "late", value = 3.0, timestamp = 1L, step = 3L }, new { key = "late", value = 1.0, timestamp = 2L, step = 1L } } });
        var late = await GetJsonAsync(server, $"api/flightdeck/v1/metrics/downsampled?run_id={runId}&key=late");
        Assert.Equal([1L, 3L], late.GetProperty("steps").EnumerateArray().Select(s => s.GetInt64()));

        var none = await GetJsonAsync(server, $"api/flightdeck/v1/metrics/downsampled?run_id={runId}&key=accuracy");
        Assert.Equal(0, none.GetProperty("returned_points").GetInt32());
    }

    private static async Task<System.Text.Json.JsonElement> GetJsonAsync(TestServer server, string url)
    {
        using var response = await server.Http.GetAsync(url);
        return await TestServer.ReadOkAsync(response);
    }
}
