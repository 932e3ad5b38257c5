using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Flightdeck.Serving;

/// <summary>The id of a serving request: the caller's <c>X-Request-Id</c> when it is a sane token (at most 128 letters,
/// digits and <c>-_.:</c>, so it is safe in logs and headers), else a fresh one. Echoed in the response.</summary>
internal static class RequestIds
{
    public const string Header = "X-Request-Id";

    private const int MaxLength = 128;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:");

    public static string For(HttpContext context)
    {
        var given = context.Request.Headers[Header];
        var id = given.Count == 1 && IsSane(given[0]) ? given[0]! : Guid.NewGuid().ToString("N");
        context.Response.Headers[Header] = id;
        return id;
    }

    public static bool IsSane(string? id) => id is { Length: > 0 and <= MaxLength } && !id.AsSpan().ContainsAnyExcept(Allowed);
}
