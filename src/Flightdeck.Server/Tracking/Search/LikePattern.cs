using System.Text;

namespace Flightdeck.Server.Tracking.Search;

/// <summary>
/// A LIKE pattern as the filter wrote it: <c>%</c> and <c>_</c> are wildcards and a backslash makes the next
/// character literal (PostgreSQL's default; a trailing backslash is literal). It is rewritten for each engine so both
/// agree: PostgreSQL LIKE/ILIKE, SQLite GLOB for case-sensitive LIKE (SQLite's LIKE ignores ASCII case) and SQLite
/// LIKE ... ESCAPE for ILIKE.
/// </summary>
internal static class LikePattern
{
    private enum Part
    {
        Literal,
        AnyMany,
        AnyOne,
    }

    /// <summary>The pattern for LIKE/ILIKE with backslash as the escape character.</summary>
    public static string ToLike(string pattern)
    {
        var result = new StringBuilder(pattern.Length + 4);
        foreach (var (part, c) in Parse(pattern))
        {
            switch (part)
            {
                case Part.AnyMany:
                    result.Append('%');
                    break;
                case Part.AnyOne:
                    result.Append('_');
                    break;
                default:
                    if (c is '%' or '_' or '\\')
                    {
                        result.Append('\\');
                    }

                    result.Append(c);
                    break;
            }
        }

        return result.ToString();
    }

    /// <summary>The pattern for SQLite's case-sensitive GLOB, which has no escape character, only [x] classes.</summary>
    public static string ToGlob(string pattern)
    {
        var result = new StringBuilder(pattern.Length + 4);
        foreach (var (part, c) in Parse(pattern))
        {
            switch (part)
            {
                case Part.AnyMany:
                    result.Append('*');
                    break;
                case Part.AnyOne:
                    result.Append('?');
                    break;
                default:
                    result.Append(c switch
                    {
                        '*' => "[*]",
                        '?' => "[?]",
                        '[' => "[[]",
                        _ => c.ToString(),
                    });
                    break;
            }
        }

        return result.ToString();
    }

    private static IEnumerable<(Part Part, char Char)> Parse(string pattern)
    {
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                yield return (Part.Literal, pattern[++i]);
            }
            else if (c == '%')
            {
                yield return (Part.AnyMany, c);
            }
            else if (c == '_')
            {
                yield return (Part.AnyOne, c);
            }
            else
            {
                yield return (Part.Literal, c);
            }
        }
    }
}
