using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Flightdeck.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Flightdeck.Server.Hosting;

/// <summary>Reads MLflow-style JSON request bodies: an empty body is <c>{}</c>, a body over the limit is refused.</summary>
internal static class RequestBody
{
    /// <summary>MLflow's cap on a JSON request (mlflow/utils/validation.py, MAX_BATCH_LOG_REQUEST_SIZE is 1 MB for log-batch).</summary>
    public const long DefaultLimitBytes = 32 * 1024 * 1024;

    public static async ValueTask<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo, long limitBytes = DefaultLimitBytes)
        where T : new()
    {
        var request = context.Request;
        if (request.ContentLength is { } length && length > limitBytes)
        {
            throw new PayloadTooLargeException(limitBytes);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limitBytes;
        }

        if (request.ContentLength == 0 || await IsEmptyAsync(request.BodyReader, context.RequestAborted))
        {
            return new T(); // MLflow reads an empty body as {}
        }

        var value = await JsonSerializer.DeserializeAsync(request.Body, typeInfo, context.RequestAborted);
        return value ?? throw FlightdeckException.InvalidParameter("The request body must be a JSON object.");
    }

    /// <summary>Whether a body of unknown length (chunked) turns out empty; looks without consuming anything.</summary>
    private static async ValueTask<bool> IsEmptyAsync(System.IO.Pipelines.PipeReader reader, CancellationToken ct)
    {
        var peek = await reader.ReadAsync(ct);
        var empty = peek.Buffer.IsEmpty && peek.IsCompleted;
        reader.AdvanceTo(peek.Buffer.Start);
        return empty;
    }
}

/// <summary>A request body over the endpoint's limit: 413.</summary>
internal sealed class PayloadTooLargeException(long limitBytes)
    : FlightdeckException(Contracts.ErrorCode.RequestLimitExceeded, $"The request body exceeds the limit of {limitBytes} bytes.")
{
    public override System.Net.HttpStatusCode StatusCode => System.Net.HttpStatusCode.RequestEntityTooLarge;
}
