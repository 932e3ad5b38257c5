using System.Globalization;
using System.Text.RegularExpressions;

namespace Flightdeck.Cli.Infrastructure;

/// <summary>Durations as operators write them: 30d, 12h, 90m, 45s, 2w, or a .NET TimeSpan such as 1.12:00:00.</summary>
internal static partial class Duration
{
    public static TimeSpan Parse(string text, string optionName)
    {
        var match = Pattern().Match(text.Trim());
        if (match.Success)
        {
            var amount = double.Parse(match.Groups["amount"].Value, CultureInfo.InvariantCulture);
            return match.Groups["unit"].Value.ToLowerInvariant() switch
            {
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                "d" => TimeSpan.FromDays(amount),
                _ => TimeSpan.FromDays(amount * 7),
            };
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero)
        {
            return span;
        }

        throw new CliUsageException($"{optionName} '{text}' is not a duration; use e.g. 30d, 12h, 90m or 45s.");
    }

    [GeneratedRegex(@"^(?<amount>\d+(\.\d+)?)\s*(?<unit>[smhdwSMHDW])$")]
    private static partial Regex Pattern();
}
