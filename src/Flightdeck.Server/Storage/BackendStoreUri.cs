using Flightdeck.Contracts;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Flightdeck.Server.Storage;

/// <summary>
/// A backend store URI in MLflow's forms: <c>sqlite:///absolute/path.db</c>, <c>sqlite:relative/path.db</c>
/// or <c>postgresql://user:pass@host:port/db</c> (also <c>postgres://</c>, and <c>postgresql+driver://</c> as SQLAlchemy writes it).
/// </summary>
public sealed record BackendStoreUri(SqlDialect Dialect, string ConnectionString, string Display)
{
    public static BackendStoreUri Parse(string uri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        var schemeEnd = uri.IndexOf(':', StringComparison.Ordinal);
        var scheme = schemeEnd > 0 ? uri[..schemeEnd].ToLowerInvariant() : "";
        var plusAt = scheme.IndexOf('+', StringComparison.Ordinal);
        if (plusAt > 0)
        {
            scheme = scheme[..plusAt];
        }

        return scheme switch
        {
            "sqlite" => Sqlite(uri[(schemeEnd + 1)..]),
            "postgresql" or "postgres" => Postgres(new Uri(uri)),
            _ => throw FlightdeckException.InvalidParameter(
                $"Unsupported backend store URI '{Redact(uri)}': expected sqlite:///path.db, sqlite:path.db or postgresql://user:pass@host:port/db."),
        };
    }

    private static BackendStoreUri Sqlite(string rest)
    {
        // sqlite:///abs/path -> "/abs/path"; sqlite:rel/path -> "rel/path"; sqlite://rel -> "rel" (SQLAlchemy's relative form).
        var path = rest.StartsWith("///", StringComparison.Ordinal) ? rest[2..]
            : rest.StartsWith("//", StringComparison.Ordinal) ? rest[2..]
            : rest;
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            throw FlightdeckException.InvalidParameter("The SQLite backend store URI names no file.");
        }

        var full = Path.GetFullPath(path);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new BackendStoreUri(SqlDialect.Sqlite, builder.ToString(), "sqlite:///" + full.TrimStart('/'));
    }

    private static BackendStoreUri Postgres(Uri uri)
    {
        var userInfo = uri.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
            Username = userInfo.Length > 0 && userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : null,
            Password = userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null,
            MaxPoolSize = 50,
            NoResetOnClose = true,
        };
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv.Length == 2)
            {
                builder[Uri.UnescapeDataString(kv[0])] = Uri.UnescapeDataString(kv[1]);
            }
        }

        return new BackendStoreUri(SqlDialect.Postgres, builder.ConnectionString, Redact(uri.ToString()));
    }

    /// <summary>The URI with its password masked, for logs and messages.</summary>
    public static string Redact(string uri)
    {
        var at = uri.IndexOf('@', StringComparison.Ordinal);
        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || schemeEnd < 0 || at < schemeEnd)
        {
            return uri;
        }

        var userInfo = uri[(schemeEnd + 3)..at];
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? uri : uri[..(schemeEnd + 3)] + userInfo[..colon] + ":***" + uri[at..];
    }

    public override string ToString() => Display;
}
