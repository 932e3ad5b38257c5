namespace Flightdeck.Server.Tests.Robustness;

/// <summary>
/// One request of the sweep. <see cref="MustFail"/> marks requests the server must refuse with a 4xx;
/// the others may succeed but must still answer well-formed JSON and never a 5xx.
/// </summary>
internal sealed record FuzzCase(string Description, string Method, string PathAndQuery, byte[]? Body, bool MustFail)
{
    /// <summary>Send the body without a Content-Length, as a chunked stream.</summary>
    public bool Chunked { get; init; }

    public string ContentType { get; init; } = "application/json";

    public override string ToString() => $"{Method} {Shorten(PathAndQuery)} [{Description}]";

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..157] + "...";
}
