using System.Net;
using Flightdeck.Client.Http;
using Flightdeck.Contracts;

namespace Flightdeck.Client.Tests;

public sealed class ErrorAnswerTests
{
    [Theory]
    [InlineData(ErrorCode.ResourceDoesNotExist, HttpStatusCode.NotFound, typeof(ResourceNotFoundException))]
    [InlineData(ErrorCode.InvalidParameterValue, HttpStatusCode.BadRequest, typeof(InvalidParameterException))]
    [InlineData(ErrorCode.BadRequest, HttpStatusCode.BadRequest, typeof(InvalidParameterException))]
    [InlineData(ErrorCode.ResourceAlreadyExists, HttpStatusCode.BadRequest, typeof(ResourceAlreadyExistsException))]
    [InlineData(ErrorCode.PermissionDenied, HttpStatusCode.Forbidden, typeof(PermissionDeniedException))]
    [InlineData(ErrorCode.EndpointNotFound, HttpStatusCode.NotFound, typeof(EndpointNotFoundException))]
    [InlineData(ErrorCode.InternalError, HttpStatusCode.InternalServerError, typeof(FlightdeckApiException))]
    public void Error_bodies_become_the_exception_of_their_code(string code, HttpStatusCode status, Type expected)
    {
        var error = ErrorAnswer.FromBody(status, $$"""{"error_code":"{{code}}","message":"it went wrong"}""", "POST /x");

        Assert.IsType(expected, error);
        Assert.Equal(code, error.ErrorCode);
        Assert.Equal("it went wrong", error.Message);
        Assert.Equal(status, error.HttpStatus);
        Assert.IsAssignableFrom<FlightdeckException>(error);
    }

    [Fact]
    public void A_non_json_error_body_still_gives_a_clear_exception()
    {
        var error = ErrorAnswer.FromBody(HttpStatusCode.BadGateway, "<html><body>502 Bad Gateway</body></html>", "GET /api/2.0/mlflow/runs/get");

        Assert.Equal(ErrorCode.TemporarilyUnavailable, error.ErrorCode);
        Assert.Equal(HttpStatusCode.BadGateway, error.HttpStatus);
        Assert.Contains("GET /api/2.0/mlflow/runs/get failed with HTTP 502", error.Message);
        Assert.Contains("502 Bad Gateway", error.Message);
    }

    [Fact]
    public void An_empty_error_body_names_the_call_and_status()
    {
        var error = ErrorAnswer.FromBody(HttpStatusCode.NotFound, "", "GET /nowhere");

        Assert.IsType<EndpointNotFoundException>(error);
        Assert.Equal("GET /nowhere failed with HTTP 404 NotFound.", error.Message);
    }

    [Fact]
    public void Json_that_is_not_an_error_body_is_quoted()
    {
        var error = ErrorAnswer.FromBody(HttpStatusCode.InternalServerError, """{"detail":"boom"}""", "POST /x");

        Assert.Equal(ErrorCode.InternalError, error.ErrorCode);
        Assert.Contains("""{"detail":"boom"}""", error.Message);
    }
}
