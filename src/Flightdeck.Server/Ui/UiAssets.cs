using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;

namespace Flightdeck.Server.Ui;

/// <summary>One file of the bundled UI, held in memory with its gzip form and a content hash for ETags.</summary>
internal sealed record UiAsset(string Name, string ContentType, byte[] Content, byte[] Gzipped, string ETag);

/// <summary>The bundled UI (index.html, app.js, app.css), embedded in the server assembly as ui/* by the project's build.</summary>
internal sealed class UiAssets
{
    private const string Prefix = "ui/";
    private readonly Dictionary<string, UiAsset> _assets;

    private UiAssets(Dictionary<string, UiAsset> assets) => _assets = assets;

    public UiAsset? Index => Find("index.html");

    public UiAsset? Find(string name) => _assets.GetValueOrDefault(name);

    public static UiAssets Load(Assembly assembly)
    {
        var assets = new Dictionary<string, UiAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var name = resource[Prefix.Length..];
            assets[name] = new UiAsset(name, ContentTypeOf(name), content, Gzip(content), $"\"{Convert.ToHexString(SHA256.HashData(content), 0, 12)}\"");
        }

        return new UiAssets(assets);
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    private static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }
}
