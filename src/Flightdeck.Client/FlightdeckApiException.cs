using System.Net;
using Flightdeck.Contracts;

namespace Flightdeck.Client;

/// <summary>
/// A call the server answered with an error. Carries MLflow's <c>error_code</c>, the server's message and the HTTP status
/// it really answered with. Common codes have their own subclasses so callers can catch what they can handle.
/// </summary>
public class FlightdeckApiException : FlightdeckException
{
    /// <summary>Creates the exception from an error answer.</summary>
    public FlightdeckApiException(string errorCode, string message, HttpStatusCode statusCode)
        : base(errorCode, message) => HttpStatus = statusCode;

    /// <summary>Creates an INTERNAL_ERROR exception with the given message (for serializers and tests).</summary>
    public FlightdeckApiException() : this(Contracts.ErrorCode.InternalError, "Unknown error", HttpStatusCode.InternalServerError) { }

    /// <summary>Creates an INTERNAL_ERROR exception with the given message.</summary>
    public FlightdeckApiException(string message) : this(Contracts.ErrorCode.InternalError, message, HttpStatusCode.InternalServerError) { }

    /// <summary>Creates an INTERNAL_ERROR exception with the given message and cause.</summary>
    public FlightdeckApiException(string message, Exception inner) : base(Contracts.ErrorCode.InternalError, message, inner) =>
        HttpStatus = HttpStatusCode.InternalServerError;

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode HttpStatus { get; }

    /// <inheritdoc />
    public override HttpStatusCode StatusCode => HttpStatus;

    /// <summary>Builds the exception type that matches an error code.</summary>
    public static FlightdeckApiException Create(string errorCode, string message, HttpStatusCode status) => errorCode switch
    {
        Contracts.ErrorCode.ResourceDoesNotExist => new ResourceNotFoundException(message, status),
        Contracts.ErrorCode.EndpointNotFound => new EndpointNotFoundException(message, status),
        Contracts.ErrorCode.InvalidParameterValue or Contracts.ErrorCode.BadRequest => new InvalidParameterException(errorCode, message, status),
        Contracts.ErrorCode.ResourceAlreadyExists or "ALREADY_EXISTS" => new ResourceAlreadyExistsException(errorCode, message, status),
        Contracts.ErrorCode.Unauthenticated or Contracts.ErrorCode.PermissionDenied => new PermissionDeniedException(errorCode, message, status),
        _ => new FlightdeckApiException(errorCode, message, status),
    };
}

/// <summary>RESOURCE_DOES_NOT_EXIST: the experiment, run or artifact named by the call does not exist.</summary>
public sealed class ResourceNotFoundException(string message, HttpStatusCode status)
    : FlightdeckApiException(Contracts.ErrorCode.ResourceDoesNotExist, message, status);

/// <summary>ENDPOINT_NOT_FOUND: the server does not serve this route (an older or different server).</summary>
public sealed class EndpointNotFoundException(string message, HttpStatusCode status)
    : FlightdeckApiException(Contracts.ErrorCode.EndpointNotFound, message, status);

/// <summary>INVALID_PARAMETER_VALUE or BAD_REQUEST: the request was refused as malformed or out of limits.</summary>
public sealed class InvalidParameterException(string errorCode, string message, HttpStatusCode status)
    : FlightdeckApiException(errorCode, message, status);

/// <summary>RESOURCE_ALREADY_EXISTS: e.g. an experiment with that name already exists.</summary>
public sealed class ResourceAlreadyExistsException(string errorCode, string message, HttpStatusCode status)
    : FlightdeckApiException(errorCode, message, status);

/// <summary>UNAUTHENTICATED or PERMISSION_DENIED.</summary>
public sealed class PermissionDeniedException(string errorCode, string message, HttpStatusCode status)
    : FlightdeckApiException(errorCode, message, status);

/// <summary>The server could not be reached, or did not answer in time. No request reached the API.</summary>
public sealed class FlightdeckConnectionException : FlightdeckException
{
    /// <summary>Creates the exception.</summary>
    public FlightdeckConnectionException(string message, Exception inner)
        : base(Contracts.ErrorCode.TemporarilyUnavailable, message, inner) { }

    /// <summary>Creates the exception.</summary>
    public FlightdeckConnectionException() : base(Contracts.ErrorCode.TemporarilyUnavailable, "The server could not be reached.") { }

    /// <summary>Creates the exception.</summary>
    public FlightdeckConnectionException(string message) : base(Contracts.ErrorCode.TemporarilyUnavailable, message) { }
}
