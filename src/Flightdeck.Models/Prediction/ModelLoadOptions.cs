using Microsoft.ML;

namespace Flightdeck.Models;

public sealed record ModelLoadOptions
{
    /// <summary>The flavor to load; null picks mlnet when the package has it, onnx otherwise.</summary>
    public string? Flavor { get; init; }

    /// <summary>Runs one prediction (the input example, or a row of default values) before returning, so the first
    /// real request does not pay for lazy initialisation, and a model that loads but cannot predict fails at load.</summary>
    public bool WarmUp { get; init; } = true;

    /// <summary>The ML.NET context to load with; a new one when null.</summary>
    public MLContext? MLContext { get; init; }
}
