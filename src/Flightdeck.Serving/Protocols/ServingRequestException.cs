using Microsoft.AspNetCore.Http;

namespace Flightdeck.Serving;

/// <summary>A request the serving protocols refuse, with the HTTP status to answer (400 malformed, 404 unknown model,
/// 413 too large, 415 unsupported content type).</summary>
public sealed class ServingRequestException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public static ServingRequestException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public static ServingRequestException NotFound(string message) => new(StatusCodes.Status404NotFound, message);
}
