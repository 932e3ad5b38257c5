using System.Security.Cryptography;
using System.Text;
using Flightdeck.Client;

namespace Flightdeck.MlNet.Models;

/// <summary>
/// Local copies of downloaded models. A registered version never changes its files, so it is downloaded once per server,
/// model and version (see <see cref="VersionKey"/>); a <c>runs:/</c> folder can be overwritten by a later log, so it is downloaded again each time.
/// A download lands in a private folder first and is moved into place whole, so a reader never sees half a model and two
/// processes loading the same version at once both end up with one complete copy.
/// </summary>
internal sealed class ModelCache(string root)
{
    /// <summary>The environment variable that moves the cache (default: the user's local data folder, flightdeck/models).</summary>
    public const string DirectoryVariable = "FLIGHTDECK_MODEL_CACHE";

    public static string DefaultRoot()
    {
        var configured = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return Path.Combine(string.IsNullOrEmpty(data) ? Path.GetTempPath() : data, "flightdeck", "models");
    }

    public async Task<string> GetAsync(FlightdeckClient client, ResolvedModel model, CancellationToken cancellationToken)
    {
        var (folderName, concreteUri, reusable) = model.ModelVersion is { } version
            ? ($"{Safe(version.Name)}-v{version.Version}-{VersionKey(client, version)}",
                $"models:/{version.Name}/{version.Version}", true)
            : ($"run-{Safe(model.RunId ?? "")}-{Key(client.TrackingUri.AbsoluteUri, model.ArtifactUri)}", model.Uri.Text, false);
        var target = Path.Combine(root, folderName);
        if (reusable && Directory.Exists(target))
        {
            return target;
        }

        Directory.CreateDirectory(root);
        var partial = Path.Combine(root, $".partial-{Guid.NewGuid():N}");
        try
        {
            await client.DownloadModelAsync(concreteUri, partial, cancellationToken: cancellationToken);
            if (!reusable && Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            try
            {
                Directory.Move(partial, target);
            }
            catch (IOException) when (reusable && Directory.Exists(target))
            {
                // Another loader finished the same version first; its copy is identical.
            }

            return target;
        }
        finally
        {
            if (Directory.Exists(partial))
            {
                Directory.Delete(partial, recursive: true);
            }
        }
    }

    /// <summary>
    /// Name and number alone are not enough: a server whose store was reset hands out version 1 again, so the key also
    /// holds what a new registration cannot repeat (its run, source and creation time).
    /// </summary>
    private static string VersionKey(FlightdeckClient client, Flightdeck.Contracts.ModelVersion version) => Key(
        client.TrackingUri.AbsoluteUri, version.Name, version.Version, version.RunId ?? "", version.Source,
        version.CreationTimestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static string Key(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts))))[..12];

    private static string Safe(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').Take(60).ToArray();
        return new string(chars);
    }
}
