using System.Text.RegularExpressions;

namespace Flightdeck.Cli.Packaging;

/// <summary>Kubernetes resource quantities as operators write them: 500m, 2, 0.5, 1Gi, 512Mi, 1G.</summary>
internal static partial class KubernetesQuantity
{
    public static bool IsValid(string text) => Pattern().IsMatch(text);

    [GeneratedRegex(@"^\d+(\.\d+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")]
    private static partial Regex Pattern();
}
