using Flightdeck.Cli;
using Spectre.Console;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C asks commands to stop cleanly; a second one kills the process as usual.
    e.Cancel = !cancellation.IsCancellationRequested;
    cancellation.Cancel();
};

var errors = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
return await CliApp.Create(AnsiConsole.Console, errors).RunAsync(args, cancellation.Token);
