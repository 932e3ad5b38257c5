using System.Security.Cryptography;
using System.Text;
using Flightdeck.Contracts;
using Flightdeck.Server.Artifacts;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Endpoints;

/// <summary>
/// Local copies of registered model packages, for loading: a version's files are read from the artifact store once into
/// a folder named after the version and its storage location, written to a temporary folder first and then renamed, so a
/// folder that exists is complete (and several server processes may share the cache).
/// </summary>
internal sealed class ModelPackageCache(IArtifactStore store, string root)
{
    public string Root { get; } = root;

    public async Task<string> GetAsync(string modelName, string version, string storageLocation, CancellationToken ct)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{modelName}\n{version}\n{storageLocation}")))[..24];
        var folder = Path.Combine(Root, key);
        if (Directory.Exists(folder))
            return folder;
        var storeRoot = RunArtifactsApi.StoreRoot(storageLocation) ?? throw FlightdeckException.InvalidParameter(
            $"Version {version} of '{Validation.Shorten(modelName)}' lives at '{Validation.Shorten(storageLocation)}', outside this server's "
            + "artifact store, so endpoints cannot load it.");
        Directory.CreateDirectory(Root);
        var staging = Path.Combine(Root, $".{key}-{Guid.NewGuid():N}");
        try
        {
            var files = await CopyFolderAsync(storeRoot, staging, ct);
            if (files == 0)
                throw FlightdeckException.InvalidParameter(
                    $"Version {version} of '{Validation.Shorten(modelName)}' has no files at '{Validation.Shorten(storageLocation)}'.");
            try
            {
                Directory.Move(staging, folder);
            }
            catch (IOException) when (Directory.Exists(folder))
            {
                // Another process finished the same copy first; theirs is as good.
            }

            return folder;
        }
        finally
        {
            if (Directory.Exists(staging))
                Directory.Delete(staging, recursive: true);
        }
    }

    private async Task<int> CopyFolderAsync(string storeFolder, string localFolder, CancellationToken ct)
    {
        Directory.CreateDirectory(localFolder);
        var count = 0;
        foreach (var entry in await store.ListAsync(storeFolder, ct))
        {
            var name = entry.Path[(entry.Path.LastIndexOf('/') + 1)..];
            var target = Path.Combine(localFolder, name);
            if (entry.IsDir)
            {
                count += await CopyFolderAsync(entry.Path, target, ct);
                continue;
            }

            await using var source = await store.OpenReadAsync(entry.Path, ct);
            await using var file = File.Create(target);
            await source.CopyToAsync(file, ct);
            count++;
        }

        return count;
    }
}
