using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Server.Tests.Webhooks;

/// <summary>
/// A real HTTP receiver on a loopback port that records every POST it gets. It can be stopped (connections are then
/// refused) and started again on the same port, keeping what it recorded, or told to answer with an error status.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<Delivery> _received = new();
    private WebApplication? _app;

    private WebhookReceiver()
    {
    }

    public sealed record Delivery(DateTimeOffset At, string Path, IReadOnlyDictionary<string, string> Headers, string Body, int Answered);

    public int Port { get; private set; }

    /// <summary>The status each POST is answered with.</summary>
    public int Status { get; set; } = 200;

    /// <summary>When set, the status by request path and body, over <see cref="Status"/>.</summary>
    public Func<string, string, int>? StatusFor { get; set; }

    public IReadOnlyList<Delivery> Received => _received.ToArray();

    /// <summary>The deliveries answered with success.</summary>
    public IReadOnlyList<Delivery> Accepted => _received.Where(d => d.Answered is >= 200 and < 300).ToArray();

    public string Url(string path = "hook") => $"http://127.0.0.1:{Port}/{path}";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver.StartOnAsync(0);
        return receiver;
    }

    /// <summary>Starts again on the port it had.</summary>
    public Task RestartAsync() => StartOnAsync(Port);

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Waits until <paramref name="count"/> deliveries were accepted, or fails after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<Delivery>> WaitForAcceptedAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (Accepted.Count < count && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(25);
        }

        var accepted = Accepted;
        Assert.True(accepted.Count >= count, $"expected {count} accepted deliveries within {timeout}, got {accepted.Count}");
        return accepted;
    }

    private async Task StartOnAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var status = StatusFor?.Invoke(context.Request.Path, body) ?? Status;
            _received.Enqueue(new Delivery(DateTimeOffset.UtcNow, context.Request.Path, headers, body, status));
            context.Response.StatusCode = status;
            await context.Response.WriteAsync(status < 300 ? "ok" : "not now");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
        _app = app;
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
