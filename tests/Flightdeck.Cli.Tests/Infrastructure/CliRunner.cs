using Spectre.Console.Cli.Testing;
using Spectre.Console.Testing;

namespace Flightdeck.Cli.Tests.Infrastructure;

/// <summary>What a command printed, on its output and error consoles, and the exit code.</summary>
public sealed record CliResult(int ExitCode, string Output, string Errors)
{
    public override string ToString() => $"exit {ExitCode}\n--- output\n{Output}\n--- errors\n{Errors}";
}

/// <summary>Runs <c>flightdeck</c> in memory with the real command tree, capturing both consoles.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(params string[] args) => await RunAsync(args, TestContext.Current.CancellationToken);

    public static async Task<CliResult> RunAsync(string[] args, CancellationToken cancellationToken, TestConsole? console = null)
    {
        console ??= new TestConsole().Width(250);
        var errors = new TestConsole().Width(250);
        var tester = new CommandAppTester(null, new CommandAppTesterSettings(), console);
        tester.Configure(config => CliApp.Configure(config, console, errors));
        var result = await tester.RunAsync(args, cancellationToken);
        return new CliResult(result.ExitCode, console.Output, errors.Output);
    }
}
