using Flightdeck.Contracts;
using Flightdeck.Server.Outbox;
using Flightdeck.Server.Registry;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Webhooks;

/// <summary>What a webhook may be: an http(s) URL without credentials, known events, a printable secret.</summary>
internal static class WebhookValidation
{
    public const int MaxNameLength = 256;
    public const int MaxUrlLength = 2000;
    public const int MinSecretLength = 8;
    public const int MaxSecretLength = 512;
    public const int MaxEvents = 50;

    public static string Name(string? name)
    {
        var value = Validation.Required(name, "name").Trim();
        return value.Length == 0 || value.Length > MaxNameLength || value.Any(char.IsControl)
            ? throw FlightdeckException.InvalidParameter($"'name' must be 1 to {MaxNameLength} printable characters.")
            : value;
    }

    public static string Url(string? url)
    {
        var value = Validation.Required(url, "url").Trim();
        // "://" first: .NET reads a rooted path such as /hook as an absolute file: URI.
        if (value.Length > MaxUrlLength || !value.Contains("://", StringComparison.Ordinal) || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            throw FlightdeckException.InvalidParameter($"'url' must be an absolute http or https URL of at most {MaxUrlLength} characters.");
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw FlightdeckException.InvalidParameter($"'url' must use http or https, not '{Validation.Shorten(uri.Scheme)}'.");
        }

        if (uri.UserInfo.Length > 0)
        {
            // Credentials in a URL end up in logs and listings; the signature authenticates deliveries instead.
            throw FlightdeckException.InvalidParameter("'url' must not contain credentials (user:password@); use the webhook secret.");
        }

        if (uri.Fragment.Length > 0 || !OutboxWriter.IsDeliverable(value))
        {
            throw FlightdeckException.InvalidParameter("'url' must be an http or https URL with a host and no #fragment.");
        }

        return value;
    }

    public static List<string> Events(List<string>? events)
    {
        if (events is null || events.Count == 0)
        {
            throw FlightdeckException.InvalidParameter(
                $"'events' must list at least one event: {string.Join(", ", WebhookEvents.Names)}, or \"{WebhookEvents.All}\".");
        }

        if (events.Count > MaxEvents)
        {
            throw FlightdeckException.InvalidParameter($"'events' may list at most {MaxEvents} events.");
        }

        foreach (var name in events)
        {
            if (name is null || (name != WebhookEvents.All && !WebhookEvents.IsKnown(name)))
            {
                throw FlightdeckException.InvalidParameter(
                    $"Unknown event '{Validation.Shorten(name ?? "null")}' in 'events'; known events: {string.Join(", ", WebhookEvents.Names)}, or \"{WebhookEvents.All}\".");
            }
        }

        return events.Distinct(StringComparer.Ordinal).ToList();
    }

    public static string? ModelName(string? modelName) =>
        string.IsNullOrEmpty(modelName) ? null : RegistryValidation.ModelName(modelName, "model_name");

    public static string? Description(string? description) => RegistryValidation.Description(description);

    /// <summary>A secret to sign with; null or empty means unsigned deliveries.</summary>
    public static string? Secret(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return null;
        }

        // The message names the rule, never the value.
        return secret.Length < MinSecretLength || secret.Length > MaxSecretLength || secret.Any(char.IsControl)
            ? throw FlightdeckException.InvalidParameter($"'secret' must be {MinSecretLength} to {MaxSecretLength} printable characters.")
            : secret;
    }

    public static string Status(string? status) => status switch
    {
        null => WebhookStatus.Active,
        WebhookStatus.Active or WebhookStatus.Disabled => status,
        _ => throw FlightdeckException.InvalidParameter(
            $"'status' must be {WebhookStatus.Active} or {WebhookStatus.Disabled}, not '{Validation.Shorten(status)}'."),
    };

    public static string Id(string? id) =>
        id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower) ? id : throw NotFound(id ?? "");

    public static FlightdeckException NotFound(string id) => FlightdeckException.NotFound($"Webhook '{Validation.Shorten(id)}' not found.");
}
