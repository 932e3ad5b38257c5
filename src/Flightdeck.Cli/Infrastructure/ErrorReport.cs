using Flightdeck.Client;
using Flightdeck.Contracts;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Flightdeck.Cli.Infrastructure;

/// <summary>Turns any failure into one clear line on the error console and an exit code; never a stack trace.</summary>
internal static class ErrorReport
{
    public static int Write(IAnsiConsole errors, Exception exception)
    {
        var (code, message) = Describe(exception);
        // Written raw: Spectre would wrap a long message at the console width, and scripts grep these lines.
        errors.Profile.Out.Writer.WriteLine($"Error: {message}");
        return code;
    }

    public static (int Code, string Message) Describe(Exception exception) => exception switch
    {
        FlightdeckConnectionException e => (ExitCodes.Unreachable, e.Message),
        ResourceNotFoundException e => (ExitCodes.NotFound, e.Message),
        InvalidParameterException e => (ExitCodes.InvalidInput, e.Message),
        FlightdeckApiException e => (ExitCodes.Error, $"{e.Message} ({e.ErrorCode}, HTTP {(int)e.HttpStatus})"),
        FlightdeckException e when e.ErrorCode == ErrorCode.InvalidParameterValue => (ExitCodes.InvalidInput, e.Message),
        FlightdeckException e => (ExitCodes.Error, $"{e.Message} ({e.ErrorCode})"),
        CommandAppException e => (ExitCodes.InvalidInput, e.Message),
        CliUsageException e => (ExitCodes.InvalidInput, e.Message),
        FileNotFoundException or DirectoryNotFoundException => (ExitCodes.NotFound, exception.Message),
        ArgumentException or FormatException => (ExitCodes.InvalidInput, exception.Message),
        OperationCanceledException => (ExitCodes.Cancelled, "Cancelled."),
        IOException or UnauthorizedAccessException => (ExitCodes.Error, exception.Message),
        _ => (ExitCodes.Error, $"{exception.GetType().Name}: {exception.Message}"),
    };
}

/// <summary>A command-line mistake that parsing alone cannot catch.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
