namespace Flightdeck.Server.Storage;

/// <summary>The two SQL engines the one schema runs on.</summary>
public enum SqlDialect
{
    Sqlite,
    Postgres,
}
