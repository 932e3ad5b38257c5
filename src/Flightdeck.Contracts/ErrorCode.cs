using System.Net;

namespace Flightdeck.Contracts;

/// <summary>MLflow's error codes, as they appear in the <c>error_code</c> field of an error body.</summary>
public static class ErrorCode
{
    public const string InvalidParameterValue = "INVALID_PARAMETER_VALUE";
    public const string ResourceAlreadyExists = "RESOURCE_ALREADY_EXISTS";
    public const string BadRequest = "BAD_REQUEST";
    public const string Unauthenticated = "UNAUTHENTICATED";
    public const string PermissionDenied = "PERMISSION_DENIED";
    public const string ResourceDoesNotExist = "RESOURCE_DOES_NOT_EXIST";
    public const string EndpointNotFound = "ENDPOINT_NOT_FOUND";
    public const string ResourceConflict = "RESOURCE_CONFLICT";
    public const string RequestLimitExceeded = "REQUEST_LIMIT_EXCEEDED";
    public const string InternalError = "INTERNAL_ERROR";
    public const string InvalidState = "INVALID_STATE";
    public const string NotImplemented = "NOT_IMPLEMENTED";
    public const string TemporarilyUnavailable = "TEMPORARILY_UNAVAILABLE";

    /// <summary>The HTTP status MLflow answers with for a code (mlflow/exceptions.py, ERROR_CODE_TO_HTTP_STATUS).</summary>
    public static HttpStatusCode ToHttpStatus(string errorCode) => errorCode switch
    {
        InvalidParameterValue or ResourceAlreadyExists or BadRequest => HttpStatusCode.BadRequest,
        Unauthenticated => HttpStatusCode.Unauthorized,
        PermissionDenied => HttpStatusCode.Forbidden,
        ResourceDoesNotExist or EndpointNotFound => HttpStatusCode.NotFound,
        ResourceConflict or "ALREADY_EXISTS" => HttpStatusCode.Conflict,
        RequestLimitExceeded => HttpStatusCode.TooManyRequests,
        NotImplemented => HttpStatusCode.NotImplemented,
        TemporarilyUnavailable => HttpStatusCode.ServiceUnavailable,
        _ => HttpStatusCode.InternalServerError,
    };
}

/// <summary>The error body every failing call answers with: <c>{"error_code": "...", "message": "..."}</c>.</summary>
public sealed record ErrorResponse(string ErrorCode, string Message);

/// <summary>
/// A failure that carries an MLflow error code. The server throws it to answer a request with that code;
/// the SDK rebuilds it (or a subclass) from an error body.
/// </summary>
public class FlightdeckException : Exception
{
    public FlightdeckException(string errorCode, string message) : base(message) => ErrorCode = errorCode;

    public FlightdeckException(string errorCode, string message, Exception inner) : base(message, inner) => ErrorCode = errorCode;

    public FlightdeckException() : this(Contracts.ErrorCode.InternalError, "Unknown error") { }

    public FlightdeckException(string message) : this(Contracts.ErrorCode.InternalError, message) { }

    public FlightdeckException(string message, Exception inner) : this(Contracts.ErrorCode.InternalError, message, inner) { }

    public string ErrorCode { get; }

    public virtual HttpStatusCode StatusCode => Contracts.ErrorCode.ToHttpStatus(ErrorCode);

    public static FlightdeckException InvalidParameter(string message) => new(Contracts.ErrorCode.InvalidParameterValue, message);

    public static FlightdeckException NotFound(string message) => new(Contracts.ErrorCode.ResourceDoesNotExist, message);

    public static FlightdeckException AlreadyExists(string message) => new(Contracts.ErrorCode.ResourceAlreadyExists, message);
}
