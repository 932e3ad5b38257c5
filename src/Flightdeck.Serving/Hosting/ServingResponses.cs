using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flightdeck.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Serving;

/// <summary>The two protocols' error bodies: MLflow's <c>{"error_code", "message"}</c> and OIP's <c>{"error"}</c>.</summary>
internal enum ErrorStyle
{
    Mlflow,
    OpenInference,
}

/// <summary>Runs a serving handler and turns every failure into a status and an error body: bad input 400 (naming the
/// column), unknown model 404, oversized body 413, unsupported media type 415, full queue 429 with Retry-After. Only a
/// fault of the server itself is a 500, and its details stay in the log.</summary>
internal static partial class ServingResponses
{
    public static async Task HandleAsync(HttpContext context, ErrorStyle style, ILogger logger, Func<Task> handler)
    {
        try
        {
            await handler();
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
        catch (Exception e)
        {
            var (status, message) = Classify(e);
            if (status == StatusCodes.Status500InternalServerError)
                LogUnexpected(logger, e, context.Request.Path);
            if (e is QueueFullException full)
                context.Response.Headers.RetryAfter = Math.Ceiling(full.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            if (!context.Response.HasStarted)
                await WriteErrorAsync(context, style, status, message);
        }
    }

    /// <summary>Runs an inference handler like <see cref="HandleAsync"/>, and also: gives the request its id (echoed as
    /// <c>X-Request-Id</c>), an <c>infer</c> span, and its time limit (answering 504 when the prediction is cancelled
    /// for it), then tells the observers what happened.</summary>
    public static async Task HandleInferenceAsync(HttpContext context, ErrorStyle style, ILogger logger, Func<InferenceCall, Task> handler)
    {
        var started = Stopwatch.GetTimestamp();
        var requests = ServingRequests.Of(context);
        var requestId = RequestIds.For(context);
        using var activity = ServingTelemetry.Source.StartActivity("infer");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(requests.Timeout);
        var call = new InferenceCall(requestId, deadline.Token);
        int status;
        string? error = null;
        try
        {
            await handler(call);
            status = context.Response.StatusCode;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            status = StatusCodes.Status499ClientClosedRequest; // Nobody is left to answer.
            error = "The client closed the request.";
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            status = StatusCodes.Status504GatewayTimeout;
            error = $"The prediction did not finish within the request timeout of {FormatTimeout(requests.Timeout)}; it was cancelled.";
            if (!context.Response.HasStarted)
                await WriteErrorAsync(context, style, status, error);
        }
        catch (Exception e)
        {
            (status, error) = Classify(e);
            if (status == StatusCodes.Status500InternalServerError)
                LogUnexpected(logger, e, context.Request.Path);
            if (e is QueueFullException full)
                context.Response.Headers.RetryAfter = Math.Ceiling(full.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            if (!context.Response.HasStarted)
                await WriteErrorAsync(context, style, status, error);
        }
        var latency = Stopwatch.GetElapsedTime(started);
        if (activity is not null)
        {
            activity.SetTag("flightdeck.request_id", requestId);
            activity.SetTag("flightdeck.model", call.Model?.Name);
            activity.SetTag("flightdeck.version", call.Model?.Version);
            activity.SetTag("http.response.status_code", status);
            if (status >= 500)
                activity.SetStatus(ActivityStatusCode.Error, error);
        }
        // A request that named no loaded model has nothing to attribute its answer to; the HTTP metrics count it.
        if (call.Model is { } model && requests.Observed)
        {
            requests.Report(new InferenceRecord
            {
                RequestId = requestId,
                ModelName = model.Name,
                Version = model.Version,
                Input = call.Input ?? InferenceCall.NoInput,
                Output = call.Output,
                StatusCode = status,
                Error = error,
                Latency = latency,
                Timestamp = DateTimeOffset.UtcNow,
            });
        }
    }

    private static string FormatTimeout(TimeSpan timeout) =>
        timeout.TotalSeconds >= 1 && timeout.Milliseconds == 0
            ? $"{timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s"
            : $"{timeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms";

    internal static (int Status, string Message) Classify(Exception e) => e switch
    {
        ModelInputException => (StatusCodes.Status400BadRequest, e.Message),
        ServingRequestException serving => (serving.StatusCode, e.Message),
        JsonException => (StatusCodes.Status400BadRequest, "The body is not valid JSON: " + e.Message),
        QueueFullException => (StatusCodes.Status429TooManyRequests, e.Message),
        BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
            (StatusCodes.Status413PayloadTooLarge, "The request body is larger than this server accepts."),
        BadHttpRequestException bad => (bad.StatusCode, e.Message),
        DecoderFallbackException => (StatusCodes.Status400BadRequest, "The body is not valid UTF-8."),
        ObjectDisposedException => (StatusCodes.Status503ServiceUnavailable, "The model was unloaded while the request waited."),
        _ => (StatusCodes.Status500InternalServerError, "The model failed to predict; see the server log."),
    };

    public static async Task WriteErrorAsync(HttpContext context, ErrorStyle style, int status, string message)
    {
        context.Response.StatusCode = status;
        await WriteJsonAsync(context, writer =>
        {
            writer.WriteStartObject();
            if (style == ErrorStyle.Mlflow)
            {
                writer.WriteString("error_code", status switch
                {
                    StatusCodes.Status404NotFound => "RESOURCE_DOES_NOT_EXIST",
                    StatusCodes.Status429TooManyRequests => "REQUEST_LIMIT_EXCEEDED",
                    StatusCodes.Status503ServiceUnavailable => "TEMPORARILY_UNAVAILABLE",
                    StatusCodes.Status504GatewayTimeout => "DEADLINE_EXCEEDED",
                    >= 500 => "INTERNAL_ERROR",
                    _ => "BAD_REQUEST",
                });
                writer.WriteString("message", message);
            }
            else
            {
                writer.WriteString("error", message);
            }
            writer.WriteEndObject();
        });
    }

    /// <summary>Writes the whole body into memory first, so a failure while writing still gets a clean error.</summary>
    public static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
            write(writer);
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Serving request {Path} failed")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string path);
}
