using System.Data.Common;
using Flightdeck.Server.Storage;

namespace Flightdeck.Server.Tests.Robustness;

/// <summary>
/// Tells whether a store changed between two looks, to prove that a refused request wrote nothing.
/// SQLite: <c>PRAGMA data_version</c> on a connection held open, which moves whenever another connection commits.
/// PostgreSQL: an md5 of every row of every table, computed by the server.
/// </summary>
internal sealed class StoreSnapshot(Database database, DbConnection connection, string query) : IAsyncDisposable
{
    public static async Task<StoreSnapshot> OpenAsync(Database database)
    {
        var connection = await database.OpenAsync(CancellationToken.None);
        if (database.IsSqlite)
        {
            return new StoreSnapshot(database, connection, "PRAGMA data_version");
        }

        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var perTable = tables.Select(t =>
            $"SELECT '{t}:' || count(*) || ':' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM \"{t}\" x");
        return new StoreSnapshot(database, connection, $"SELECT string_agg(h, ' ') FROM ({string.Join(" UNION ALL ", perTable)}) s");
    }

    public Database Database => database;

    public async Task<string> TakeAsync()
    {
        await using var command = connection.CreateCommand();
        command.CommandText = query;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
