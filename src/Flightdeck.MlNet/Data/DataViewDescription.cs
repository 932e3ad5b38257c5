using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Flightdeck.MlNet.Data;

/// <summary>
/// What a run records about an <see cref="IDataView"/>, in MLflow's dataset shape: a content digest, a schema
/// (MLflow's <c>mlflow_colspec</c>) and a profile (row count and per-column statistics), all from one pass over the rows.
/// </summary>
/// <remarks>
/// The digest is the first 16 hex characters of a SHA-256 over the visible columns' names and types, then every row's
/// values in a canonical binary form (numbers as IEEE doubles, text as length-prefixed UTF-8, vectors densified). It depends
/// on the content only: the same rows give the same digest whether they came from a CSV, a database or memory, and
/// reordering rows or columns changes it. Columns of types this cannot read (images, custom types) are left out of the
/// digest and the profile, and listed in the profile's <c>unhashed_columns</c>.
/// </remarks>
public sealed record DataViewDescription(string Digest, string Schema, string Profile, long RowCount)
{
    /// <summary>MLflow caps digests at 36 characters; 16 hex characters of SHA-256 are plenty to tell datasets apart.</summary>
    public const int DigestLength = 16;

    /// <summary>Reads every row of <paramref name="data"/> once.</summary>
    public static DataViewDescription Describe(IDataView data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var columns = data.Schema.Where(c => !c.IsHidden).ToList();
        var readable = columns.Where(c => ColumnStatistics.CanRead(c.Type)).ToList();

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var column in readable)
        {
            CanonicalWriter.WriteText(hash, column.Name);
            CanonicalWriter.WriteText(hash, column.Type.ToString());
        }

        using var cursor = data.GetRowCursor(readable);
        var statistics = readable.Select(c => ColumnStatistics.Create(cursor, c)).ToList();
        long rows = 0;
        while (cursor.MoveNext())
        {
            if ((rows & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            foreach (var column in statistics)
            {
                column.ReadCurrent(hash);
            }

            rows++;
        }

        var profileColumns = new JsonObject();
        foreach (var column in statistics)
        {
            profileColumns[column.Name] = column.ToProfile();
        }

        var profile = new JsonObject
        {
            ["num_rows"] = rows,
            ["num_elements"] = rows * readable.Count,
            ["columns"] = profileColumns,
        };
        var unreadable = columns.Except(readable).Select(c => (JsonNode?)JsonValue.Create(c.Name)).ToArray();
        if (unreadable.Length > 0)
        {
            profile["unhashed_columns"] = new JsonArray(unreadable);
        }

        return new DataViewDescription(
            Convert.ToHexStringLower(hash.GetHashAndReset())[..DigestLength],
            ColumnSpecs.ToMlflowSchema(columns).ToJsonString(),
            profile.ToJsonString(),
            rows);
    }
}

/// <summary>Feeds values to a hash in a form that does not depend on how they were stored.</summary>
internal static class CanonicalWriter
{
    public static void WriteText(IncrementalHash hash, ReadOnlySpan<char> text)
    {
        var byteCount = Encoding.UTF8.GetByteCount(text);
        Span<byte> prefix = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(prefix, byteCount);
        hash.AppendData(prefix);
        var bytes = byteCount <= 256 ? stackalloc byte[byteCount] : new byte[byteCount];
        Encoding.UTF8.GetBytes(text, bytes);
        hash.AppendData(bytes);
    }

    public static void WriteNumber(IncrementalHash hash, double value)
    {
        Span<byte> bytes = stackalloc byte[8];
        // One NaN bit pattern, so NaN payloads from different sources hash alike.
        System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(bytes, double.IsNaN(value) ? double.NaN : value);
        hash.AppendData(bytes);
    }
}
