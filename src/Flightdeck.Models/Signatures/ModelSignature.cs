namespace Flightdeck.Models;

/// <summary>What a model takes and returns, as in MLflow's <c>signature</c> block of the MLmodel file.</summary>
public sealed record ModelSignature(ModelSchema Inputs, ModelSchema? Outputs = null);
