using System.Text;
using Microsoft.AspNetCore.Http;

namespace Flightdeck.Server.Registry;

/// <summary>
/// Who made a registry change, for its history: the authenticated user, else the user name of HTTP basic
/// credentials (what MLflow clients send from MLFLOW_TRACKING_USERNAME), else the X-Flightdeck-User header.
/// </summary>
internal static class RegistryActor
{
    public const string Unknown = "unknown";
    public const string UserHeader = "X-Flightdeck-User";
    private const int MaxLength = 256;

    public static string Of(HttpContext context)
    {
        if (context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } authenticated })
        {
            return Clean(authenticated);
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) && BasicUser(authorization[6..].Trim()) is { Length: > 0 } basic)
        {
            return Clean(basic);
        }

        var header = context.Request.Headers[UserHeader].ToString();
        return header.Length > 0 ? Clean(header) : Unknown;
    }

    private static string? BasicUser(string encoded)
    {
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? decoded : decoded[..colon];
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string Clean(string user)
    {
        var printable = new string(user.Where(c => !char.IsControl(c)).ToArray());
        return printable.Length == 0 ? Unknown : printable.Length <= MaxLength ? printable : printable[..MaxLength];
    }
}
