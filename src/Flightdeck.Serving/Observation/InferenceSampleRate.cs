namespace Flightdeck.Serving;

/// <summary>The share (0–1) of an endpoint's inferences to log; the endpoint is null in a standalone serving process.
/// Register one in DI to decide per endpoint (the server's endpoint settings); 0 logs nothing, 1 logs everything.</summary>
public delegate double InferenceSampleRate(string? endpoint);
