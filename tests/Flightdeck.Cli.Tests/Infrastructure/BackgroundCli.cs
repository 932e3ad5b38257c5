using System.Text.RegularExpressions;
using Spectre.Console.Testing;

namespace Flightdeck.Cli.Tests.Infrastructure;

/// <summary>A long-running command (flightdeck serve) run in memory until disposed, with the address it printed.</summary>
public sealed partial class BackgroundCli : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task<CliResult> _running;

    private BackgroundCli(CancellationTokenSource stop, Task<CliResult> running, Uri address)
    {
        _stop = stop;
        _running = running;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Starts <paramref name="args"/> and waits (up to a minute) for its "listening on http://…" line.</summary>
    public static async Task<BackgroundCli> StartServingAsync(string[] args, CancellationToken cancellationToken)
    {
        var console = new TestConsole().Width(250);
        var stop = new CancellationTokenSource();
        var running = CliRunner.RunAsync(args, stop.Token, console);
        var listening = Match.Empty;
        for (var i = 0; i < 600 && !listening.Success && !running.IsCompleted; i++)
        {
            await Task.Delay(100, cancellationToken);
            listening = ListeningLine().Match(console.Output);
        }

        if (!listening.Success)
        {
            await stop.CancelAsync();
            var result = running.IsCompleted ? (await running).ToString() : console.Output;
            stop.Dispose();
            Assert.Fail("flightdeck serve did not start listening: " + result);
        }

        return new BackgroundCli(stop, running, new Uri(listening.Groups["url"].Value + "/"));
    }

    /// <summary>Stops the command and returns what it printed.</summary>
    public async Task<CliResult> StopAsync()
    {
        await _stop.CancelAsync();
        return await _running;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_running.IsCompleted)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    [GeneratedRegex(@"listening on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
