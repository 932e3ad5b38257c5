namespace Flightdeck.Server.Tests.Robustness;

/// <summary>How the server reads a field, which decides which garbage it must refuse.</summary>
internal enum FieldRole
{
    /// <summary>Free text; refused only when longer than the field's limit.</summary>
    Text,

    /// <summary>A metric, param or tag name: MLflow's character set and at most 250 characters.</summary>
    Key,

    /// <summary>Must name the sweep's run; anything else is refused.</summary>
    RunId,

    /// <summary>Must name the sweep's experiment; anything else is refused.</summary>
    ExperimentId,

    /// <summary>An experiment id that may be left out (runs/create falls back to the default experiment).</summary>
    OptionalExperimentId,

    Integer,
    Real,
    Enum,
    List,
    Object,

    /// <summary>Read loosely or ignored (run_uuid beside a run_id, search text): only type errors must be refused.</summary>
    Lenient,
}

/// <summary>A field of an endpoint's request, by its path in the template (<c>metrics/0/key</c>).</summary>
internal sealed record FuzzField(string Path, FieldRole Role, int? MaxLength = null);

/// <summary>
/// One endpoint of the sweep: a valid request template (the placeholders <c>$RUN</c> and <c>$EXP</c> name the
/// sweep's run and experiment) and its fields. GET templates are flat objects rendered as a query string.
/// </summary>
internal sealed record FuzzEndpoint(string Method, string Route, string Template, IReadOnlyList<FuzzField> Fields)
{
    public bool IsQuery => Method == "GET";

    /// <summary>The path to request: routes starting with '/' are absolute, others live under the MLflow prefix.</summary>
    public string PathUnder(string prefix) => Route.StartsWith('/') ? Route[1..] : prefix + Route;

    public override string ToString() => $"{Method} {Route}";
}
