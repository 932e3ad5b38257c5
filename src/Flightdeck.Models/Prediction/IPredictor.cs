namespace Flightdeck.Models;

/// <summary>A loaded model, whatever its flavor: a batch of rows in, named prediction columns out. Inputs are checked
/// against <see cref="Signature"/> before the model sees them (<see cref="ModelInputException"/> names the offending
/// column). Implementations are safe for concurrent <see cref="Predict"/> calls.</summary>
public interface IPredictor : IDisposable
{
    /// <summary>The flavor that was loaded: <see cref="ModelFlavors.MlNet"/> or <see cref="ModelFlavors.Onnx"/>.</summary>
    string Flavor { get; }

    /// <summary>The package's metadata, as read from its MLmodel file.</summary>
    ModelPackage Package { get; }

    /// <summary>The signature inputs are checked against: the package's, or one derived from the model itself when the
    /// package has none (the ML.NET model's input schema; the ONNX graph's inputs). Outputs list what Predict returns.</summary>
    ModelSignature Signature { get; }

    /// <summary>Predicts every row of <paramref name="input"/>. Columns the signature does not name are ignored.</summary>
    DataBatch Predict(DataBatch input);
}
