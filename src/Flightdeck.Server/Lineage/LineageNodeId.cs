using System.Globalization;
using Flightdeck.Contracts;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Lineage;

/// <summary>
/// A lineage node's identity, written <c>kind:key</c>: <c>dataset:&lt;uuid&gt;</c>, <c>run:&lt;run_id&gt;</c>,
/// <c>model:&lt;name&gt;/&lt;version&gt;</c>, <c>endpoint:&lt;name&gt;</c>, <c>job:&lt;namespace&gt;/&lt;name&gt;</c> and <c>olds:&lt;namespace&gt;/&lt;name&gt;</c>.
/// An OpenLineage namespace ends at the first '/' after its <c>scheme://authority</c> (or at the first '/' when it has no
/// scheme), which OpenLineage's naming conventions keep true; a namespace that breaks the convention has its '%' and
/// further '/' percent-encoded, so every id reads back unambiguously.
/// </summary>
internal sealed record LineageNodeId(string Kind, string Key, string? Namespace = null, string? Name = null, int Version = 0)
{
    public override string ToString() => $"{Kind}:{Key}";

    public static LineageNodeId Dataset(string datasetUuid) => new(LineageNodeKind.Dataset, datasetUuid);

    public static LineageNodeId Run(string runId) => new(LineageNodeKind.Run, runId);

    public static LineageNodeId Model(string name, int version) =>
        new(LineageNodeKind.Model, $"{name}/{version.ToString(CultureInfo.InvariantCulture)}", Name: name, Version: version);

    public static LineageNodeId Endpoint(string name) => new(LineageNodeKind.Endpoint, name, Name: name);

    public static LineageNodeId Job(string @namespace, string name) => new(LineageNodeKind.Job, Compose(@namespace, name), @namespace, name);

    public static LineageNodeId OpenLineageDataset(string @namespace, string name) =>
        new(LineageNodeKind.OpenLineageDataset, Compose(@namespace, name), @namespace, name);

    /// <summary>Parses a node id; a malformed one is a 400 that says what the forms are.</summary>
    public static LineageNodeId Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Validation.Missing("node");
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon > 0 ? text[..colon] : "";
        var key = colon > 0 ? text[(colon + 1)..] : "";
        var id = key.Length == 0 ? null : kind switch
        {
            LineageNodeKind.Dataset => Guid.TryParse(key, out var uuid) ? Dataset(uuid.ToString()) : null,
            LineageNodeKind.Run => key.Length <= 32 && key.All(char.IsAsciiLetterOrDigit) ? Run(key) : null,
            LineageNodeKind.Model => ParseModel(key),
            LineageNodeKind.Endpoint => key.Length <= 64 && !key.Contains('/', StringComparison.Ordinal) ? Endpoint(key) : null,
            LineageNodeKind.Job => Split(key) is var (ns, name) ? Job(ns, name) : null,
            LineageNodeKind.OpenLineageDataset => Split(key) is var (ns, name) ? OpenLineageDataset(ns, name) : null,
            _ => null,
        };
        return id ?? throw FlightdeckException.InvalidParameter(
            $"Invalid lineage node id '{Validation.Shorten(text)}'. Expected dataset:<uuid>, run:<run_id>, model:<name>/<version>, "
            + "endpoint:<name>, job:<namespace>/<name> or olds:<namespace>/<name>.");
    }

    private static LineageNodeId? ParseModel(string key)
    {
        var slash = key.LastIndexOf('/');
        return slash > 0
            && int.TryParse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
            ? Model(key[..slash], version)
            : null;
    }

    private static string Compose(string @namespace, string name)
    {
        var escaped = @namespace.Replace("%", "%25", StringComparison.Ordinal);
        var start = AuthorityStart(escaped);
        return escaped[..start] + escaped[start..].Replace("/", "%2F", StringComparison.Ordinal) + "/" + name;
    }

    private static (string Namespace, string Name)? Split(string key)
    {
        var start = AuthorityStart(key);
        var slash = key.IndexOf('/', start);
        if (slash <= 0 || slash == key.Length - 1)
        {
            return null;
        }

        return (Uri.UnescapeDataString(key[..slash]), key[(slash + 1)..]);
    }

    /// <summary>Where the part of a namespace that may not hold a raw '/' begins: after "scheme://", or at 0.</summary>
    private static int AuthorityStart(string text)
    {
        var marker = text.IndexOf("://", StringComparison.Ordinal);
        return marker > 0 && text[..marker].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.') ? marker + 3 : 0;
    }
}
