using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Endpoints;
using Flightdeck.Server.Endpoints.Rollouts;
using Flightdeck.Server.Hosting;
using Flightdeck.Server.Tests.Infrastructure;
using Flightdeck.Server.Tests.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Flightdeck.Server.Tests.Endpoints.Rollouts;

/// <summary>What the rollout tests do over HTTP: register model versions, create and deploy endpoints, read them back,
/// and drive traffic while recording every answer.</summary>
internal static class RolloutKit
{
    private const string Prefix = "api/flightdeck/v1/endpoints";

    /// <summary>A server whose controller ticks fast, with version numbers in <paramref name="poisoned"/> failing the
    /// requests that carry <see cref="RolloutModels.PoisonX"/>.</summary>
    public static async Task<TestServer> StartAsync(string backend, IReadOnlySet<string>? poisoned = null,
        Func<ServerOptions, ServerOptions>? configure = null)
    {
        var server = await TestServer.StartAsync(backend, configure);
        Configure(server, poisoned);
        return server;
    }

    public static void Configure(TestServer server, IReadOnlySet<string>? poisoned = null)
    {
        server.Services.GetRequiredService<RolloutControllerOptions>().TickInterval = TimeSpan.FromMilliseconds(200);
        server.Services.GetRequiredService<RolloutControllerOptions>().ReadingInterval = TimeSpan.FromMilliseconds(200);
        if (poisoned is { Count: > 0 })
        {
            server.Services.GetRequiredService<EndpointRuntime>().PredictorWrapperForTests =
                (_, version, predictor) => poisoned.Contains(version) ? new PoisonedPredictor(predictor) : predictor;
        }
    }

    /// <summary>Registers one version of <paramref name="model"/> per package, in order (versions 1, 2, …).</summary>
    public static async Task RegisterAsync(TestServer server, string model, params string[] packages)
    {
        await server.CreateModelAsync(model);
        foreach (var package in packages)
        {
            var runId = await server.CreateRunAsync();
            var artifactUri = (await server.GetOkAsync($"runs/get?run_id={runId}")).GetProperty("run").GetProperty("info")
                .GetProperty("artifact_uri").GetString()!;
            var root = artifactUri["mlflow-artifacts:".Length..].TrimStart('/');
            foreach (var file in Directory.EnumerateFiles(package, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(package, file).Replace('\\', '/');
                using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
                using var response = await server.Http.PutAsync($"api/2.0/mlflow-artifacts/artifacts/{root}/model/{relative}", content);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            await server.CreateVersionAsync(model, $"runs:/{runId}/model", runId);
        }
    }

    public static async Task<ServingEndpoint> CreateEndpointAsync(TestServer server, string name, string model, string version = "1") =>
        await SendOkAsync(server, HttpMethod.Post, "", new CreateEndpointRequest { Name = name, ModelName = model, Version = version });

    public static async Task<ServingEndpoint> DeployAsync(TestServer server, string name, DeployRequest request) =>
        await SendOkAsync(server, HttpMethod.Post, $"/{name}/deploy", request);

    public static async Task<ServingEndpoint> GetAsync(TestServer server, string name) =>
        await SendOkAsync(server, HttpMethod.Get, $"/{name}", null);

    public static async Task<ServingEndpoint> ActAsync(TestServer server, string name, string action, string reason) =>
        await SendOkAsync(server, HttpMethod.Post, $"/{name}/{action}", new RolloutActionRequest { Reason = reason });

    public static async Task<List<EndpointEvent>> HistoryAsync(TestServer server, string name)
    {
        using var response = await server.Http.GetAsync($"{Prefix}/{name}/history", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonSerializer.Deserialize(text, EndpointJsonContext.Default.ListEndpointEventsResponse)!.Events;
    }

    /// <summary>Waits until the endpoint's rollout is no longer in progress (failing after <paramref name="limit"/>).</summary>
    public static async Task<ServingEndpoint> WaitFinishedAsync(TestServer server, string name, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var endpoint = await GetAsync(server, name);
            if (endpoint.Rollout?.Status != RolloutStatus.InProgress)
                return endpoint;
            Assert.True(DateTime.UtcNow < deadline, $"The rollout is still in progress after {limit}: {endpoint.Rollout.LastReading}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>An MLflow scoring body of <paramref name="rows"/> rows of X, Y drawn from [0, 1); a poisoned one has
    /// X = <see cref="RolloutModels.PoisonX"/> in its first row.</summary>
    public static string Body(Random random, int rows, bool poisoned = false)
    {
        var data = Enumerable.Range(0, rows).Select(i => new[]
        {
            poisoned && i == 0 ? RolloutModels.PoisonX : (float)Math.Round(random.NextDouble() * 0.99, 3),
            (float)Math.Round(random.NextDouble(), 3),
        });
        return JsonSerializer.Serialize(new { dataframe_split = new { columns = new[] { "X", "Y" }, data } });
    }

    /// <summary>Sends scoring requests from <paramref name="clients"/> concurrent clients until <paramref name="stop"/>
    /// is cancelled or <paramref name="limit"/> has passed; every 20th request is poisoned when
    /// <paramref name="poisonEvery20th"/>. Returns every answer.</summary>
    public static async Task<Traffic> DriveAsync(TestServer server, string name, CancellationToken stop, TimeSpan limit, int clients = 6,
        int rows = 5, bool poisonEvery20th = false)
    {
        var traffic = new Traffic();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop, TestContext.Current.CancellationToken);
        timeout.CancelAfter(limit);
        long sequence = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            var random = new Random(client);
            while (!timeout.IsCancellationRequested)
            {
                var number = Interlocked.Increment(ref sequence);
                var body = Body(random, rows, poisonEvery20th && number % 20 == 0);
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                // Not cancelled by the stop token: a request once sent is always answered and counted.
                using var response = await server.Http.PostAsync($"{Prefix}/{name}/invocations", content, CancellationToken.None);
                var version = response.Headers.TryGetValues(EndpointHeaders.ServedVersion, out var values) ? values.Single() : "";
                var text = response.IsSuccessStatusCode ? "" : await response.Content.ReadAsStringAsync(CancellationToken.None);
                traffic.Answers.Add(new Answer((int)response.StatusCode, version, text));
            }
        }));
        return traffic;
    }

    private static async Task<ServingEndpoint> SendOkAsync(TestServer server, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, Prefix + path);
        if (body is not null)
            request.Content = new StringContent(JsonSerializer.Serialize(body, body.GetType(), EndpointJsonContext.Default), Encoding.UTF8,
                "application/json");
        using var response = await server.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize(text, EndpointJsonContext.Default.EndpointResponse)!.Endpoint;
    }
}

internal sealed record Answer(int Status, string Version, string Error);

internal sealed class Traffic
{
    public ConcurrentBag<Answer> Answers { get; } = [];

    public IEnumerable<Answer> Failed => Answers.Where(a => a.Status >= 400);

    public int ServedBy(string version) => Answers.Count(a => a.Version == version);
}
