using System.Net;
using System.Text.Json;
using Flightdeck.Contracts;

namespace Flightdeck.Client.Http;

/// <summary>Turns a failed HTTP answer into the matching <see cref="FlightdeckApiException"/>.</summary>
internal static class ErrorAnswer
{
    private const int MaxQuotedBodyChars = 300;

    public static async Task<FlightdeckApiException> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var request = response.RequestMessage;
        return FromBody(response.StatusCode, body, $"{request?.Method} {request?.RequestUri?.AbsolutePath}");
    }

    public static FlightdeckApiException FromBody(HttpStatusCode status, string body, string call)
    {
        if (TryParse(body) is { } error)
        {
            return FlightdeckApiException.Create(error.ErrorCode, error.Message, status);
        }

        // A proxy, a load balancer or a different service answered: say what came back instead of failing to parse it.
        var quoted = body.Trim();
        quoted = quoted.Length > MaxQuotedBodyChars ? quoted[..MaxQuotedBodyChars] + "…" : quoted;
        var message = $"{call} failed with HTTP {(int)status} {status}" + (quoted.Length > 0 ? $": {quoted}" : ".");
        return FlightdeckApiException.Create(CodeForStatus(status), message, status);
    }

    private static ErrorResponse? TryParse(string body)
    {
        if (!body.TrimStart().StartsWith('{'))
        {
            return null;
        }

        try
        {
            var error = JsonSerializer.Deserialize(body, FlightdeckJsonContext.Default.ErrorResponse);
            return error is { ErrorCode.Length: > 0 } ? error with { Message = error.Message ?? "" } : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string CodeForStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => ErrorCode.BadRequest,
        HttpStatusCode.Unauthorized => ErrorCode.Unauthenticated,
        HttpStatusCode.Forbidden => ErrorCode.PermissionDenied,
        HttpStatusCode.NotFound => ErrorCode.EndpointNotFound,
        HttpStatusCode.Conflict => ErrorCode.ResourceConflict,
        HttpStatusCode.TooManyRequests => ErrorCode.RequestLimitExceeded,
        HttpStatusCode.NotImplemented => ErrorCode.NotImplemented,
        HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout => ErrorCode.TemporarilyUnavailable,
        _ => ErrorCode.InternalError,
    };
}
