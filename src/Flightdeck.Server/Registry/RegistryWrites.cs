using System.Data.Common;
using Dapper;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Registry;

/// <summary>What one registry write sees: its transaction, the locked model row, the time and the actor.</summary>
internal sealed record RegistryWrite(DbConnection Connection, DbTransaction Transaction, RegistryReader.ModelRow Model, long Now, string Actor, CancellationToken Ct)
{
    public Task RecordAsync(RegistryChange change) => RegistryEvents.AppendAsync(Connection, Transaction, Actor, Now, change, Ct);

    public Task TouchModelAsync() => Connection.ExecuteAsync(new CommandDefinition(
        "UPDATE registered_models SET last_updated_time = @Now WHERE name = @name", new { Now, name = Model.name }, Transaction, cancellationToken: Ct));

    public CommandDefinition Command(string sql, object? parameters = null) => new(sql, parameters, Transaction, cancellationToken: Ct);
}

/// <summary>
/// Runs a change to one registered model in a write transaction, holding the model's row lock (PostgreSQL's
/// <c>FOR UPDATE</c>; SQLite has a single writer), so concurrent changes to one model, from any number of server
/// processes, apply one after the other: version numbers stay gapless and alias moves see each other.
/// </summary>
internal static class RegistryWrites
{
    public static Task<T> ChangeModelAsync<T>(Database database, string name, string actor, Func<RegistryWrite, Task<T>> change, CancellationToken ct) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var lockClause = database.IsSqlite ? "" : " FOR UPDATE";
            var model = await connection.QuerySingleOrDefaultAsync<RegistryReader.ModelRow>(new CommandDefinition(
                $"SELECT {RegistryReader.ModelColumns} FROM registered_models m WHERE m.name = @name{lockClause}",
                new { name }, transaction, cancellationToken: ct))
                ?? throw RegistryValidation.ModelNotFound(name);
            return await change(new RegistryWrite(connection, transaction, model, Clock.NowMs(), actor, ct));
        }, ct);

    public static Task ChangeModelAsync(Database database, string name, string actor, Func<RegistryWrite, Task> change, CancellationToken ct) =>
        ChangeModelAsync(database, name, actor, async write =>
        {
            await change(write);
            return true;
        }, ct);
}
