using System.IO.Compression;

namespace Flightdeck.Models;

/// <summary>Paths inside a package directory and the cheap checks of its data files.</summary>
internal static class PackageFiles
{
    /// <summary>Resolves a path the MLmodel file names, refusing one that leaves the package directory.</summary>
    public static string Resolve(string directory, string relativePath, string what)
    {
        var root = Path.GetFullPath(directory);
        var full = Path.GetFullPath(Path.Combine(root, relativePath));
        var rootWithSeparator = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (Path.IsPathRooted(relativePath) || !full.StartsWith(rootWithSeparator, StringComparison.Ordinal))
            throw new ModelPackageException($"The {what} path '{relativePath}' points outside the model package.");
        return full;
    }

    /// <summary>The data file of a flavor: named by its <c>data</c> key, inside the package, present.</summary>
    public static string DataFile(string directory, ModelFlavor flavor)
    {
        if (string.IsNullOrWhiteSpace(flavor.Data))
            throw new ModelPackageException($"Flavor '{flavor.Name}' in MLmodel has no 'data' key naming its model file.");
        var path = Resolve(directory, flavor.Data, $"'{flavor.Name}' data");
        if (!File.Exists(path))
            throw new ModelPackageException($"The '{flavor.Name}' model file '{flavor.Data}' is missing from the package.");
        return path;
    }

    public static void VerifyLoadableFlavors(ModelPackage package, string directory)
    {
        var loadable = package.Flavors.Values.Where(f => ModelFlavors.Supported.Contains(f.Name)).ToList();
        if (loadable.Count == 0)
            throw UnknownFlavors(package);
        foreach (var flavor in loadable)
        {
            var path = DataFile(directory, flavor);
            if (flavor.Name == ModelFlavors.MlNet)
                VerifyZip(path, flavor);
            else if (new FileInfo(path).Length == 0)
                throw new ModelPackageException($"The '{flavor.Name}' model file '{flavor.Data}' is empty.");
        }
    }

    public static ModelPackageException UnknownFlavors(ModelPackage package) => new(
        $"The model package has no flavor Flightdeck can load (it has {string.Join(", ", package.Flavors.Keys)}; " +
        $"supported: {string.Join(", ", ModelFlavors.Supported)}).");

    /// <summary>Opens the zip and reads every entry through, which checks each entry's CRC.</summary>
    public static void VerifyZip(string path, ModelFlavor flavor)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                using var stream = entry.Open();
                stream.CopyTo(Stream.Null);
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            throw new ModelPackageException(
                $"The '{flavor.Name}' model file '{flavor.Data}' is not a readable zip archive (truncated or corrupt): {e.Message}", e);
        }
    }
}
