using Flightdeck.Contracts;

namespace Flightdeck.Models;

/// <summary>A model package that cannot be read or loaded: missing or invalid MLmodel, unknown flavor, missing or
/// corrupt data file. Maps to INVALID_PARAMETER_VALUE (400) when it surfaces through the server.</summary>
public sealed class ModelPackageException : FlightdeckException
{
    public ModelPackageException(string message) : base(Contracts.ErrorCode.InvalidParameterValue, message) { }

    public ModelPackageException(string message, Exception inner) : base(Contracts.ErrorCode.InvalidParameterValue, message, inner) { }
}

/// <summary>Prediction input that does not match the model's signature. <see cref="ColumnName"/> names the offending
/// column when there is one, and the message always does.</summary>
public sealed class ModelInputException : FlightdeckException
{
    public ModelInputException(string? columnName, string message) : base(Contracts.ErrorCode.InvalidParameterValue, message) =>
        ColumnName = columnName;

    public ModelInputException(string? columnName, string message, Exception inner)
        : base(Contracts.ErrorCode.InvalidParameterValue, message, inner) => ColumnName = columnName;

    public string? ColumnName { get; }
}
