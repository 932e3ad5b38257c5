using Flightdeck.Server.Storage;
using Npgsql;

namespace Flightdeck.Compat.Tests.Infrastructure;

/// <summary>
/// The backend stores the compatibility checks run against. PostgreSQL is a real server: scripts/test.sh starts one
/// and exports FLIGHTDECK_TEST_POSTGRES_URI; without it the PostgreSQL cases fail, they are never skipped.
/// </summary>
public static class StoreBackend
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    public static TheoryData<string> All => new(Sqlite, Postgres);

    private static string PostgresAdminUri =>
        Environment.GetEnvironmentVariable("FLIGHTDECK_TEST_POSTGRES_URI")
        ?? throw new InvalidOperationException(
            "FLIGHTDECK_TEST_POSTGRES_URI is not set: run the tests through scripts/test.sh, which starts PostgreSQL.");

    /// <summary>Creates an empty store of the given kind and returns its backend store URI.</summary>
    public static async Task<string> CreateAsync(string backend, string workDir)
    {
        if (backend == Sqlite)
        {
            return "sqlite:///" + Path.Combine(workDir, "flightdeck.db").TrimStart('/');
        }

        var database = "fd_compat_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(BackendStoreUri.Parse(PostgresAdminUri).ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new UriBuilder(new Uri(PostgresAdminUri)) { Path = "/" + database }.Uri.ToString();
    }
}
