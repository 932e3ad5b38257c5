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

    /// <summary>Threads one ONNX Runtime predict call may use; null leaves ONNX Runtime's default (one per physical
    /// core). A server that already runs several predict calls at once (one per batch worker, or one per request) gets
    /// more from 1: the calls then run side by side instead of each fanning out over cores the others need.</summary>
    public int? OnnxIntraOpThreads { get; init; }

    /// <summary>Whether ONNX Runtime's idle intra-op threads spin (burning a core) waiting for the next piece of work
    /// instead of sleeping; null leaves its default (they spin). Spinning shortens one call a little but takes the CPU
    /// that parsing and answering HTTP requests need on the same cores.</summary>
    public bool? OnnxSpinWait { get; init; }
}
