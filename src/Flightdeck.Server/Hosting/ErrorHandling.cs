using System.Text.Json;
using Flightdeck.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Server.Hosting;

/// <summary>
/// Turns every failure into MLflow's error body <c>{"error_code", "message"}</c> with the code's HTTP status.
/// Bad input never becomes a 500: only a genuinely unexpected exception does, and it is logged.
/// </summary>
internal sealed class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (FlightdeckException ex)
        {
            await WriteAsync(context, (int)ex.StatusCode, ex.ErrorCode, ex.Message);
        }
        catch (JsonException ex)
        {
            await WriteAsync(context, 400, ErrorCode.InvalidParameterValue, DescribeJsonError(ex));
        }
        catch (System.Data.Common.DbException ex) when (ex.SqlState is "22001" or "22021" or "22P05")
        {
            // Text the column cannot hold (too long, or characters PostgreSQL cannot store): the caller's input, not
            // a server fault. Validation refuses these earlier; this is the net under it.
            await WriteAsync(context, 400, ErrorCode.InvalidParameterValue, "A value is too long or contains characters that cannot be stored.");
        }
        catch (BadHttpRequestException ex)
        {
            var status = ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? 413 : 400;
            await WriteAsync(context, status, status == 413 ? ErrorCode.RequestLimitExceeded : ErrorCode.BadRequest, ex.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            await WriteAsync(context, 500, ErrorCode.InternalError, "Internal server error; see the server log.");
        }
    }

    internal static async Task WriteAsync(HttpContext context, int status, string errorCode, string message)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new ErrorResponse(errorCode, message),
            FlightdeckJsonContext.Default.ErrorResponse, context.RequestAborted);
    }

    private static string DescribeJsonError(JsonException ex)
    {
        // System.Text.Json's messages name the .NET type; the path and position are what a caller can act on.
        var where = ex.Path is { Length: > 1 } path ? $" at '{path.TrimStart('$', '.')}'" : "";
        return ex.InnerException is InvalidOperationException or FormatException || ex.Message.Contains("could not be converted", StringComparison.Ordinal)
            ? $"Invalid value{where}: wrong type for the field."
            : $"Malformed JSON{where}: {FirstSentence(ex.Message)}";
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? message[..(cut + 1)] : message;
    }
}
