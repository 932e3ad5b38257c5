using System.Data.Common;
using System.Runtime.CompilerServices;

namespace Flightdeck.Server.Storage;

/// <summary>
/// Prepared commands kept per connection, one per SQL text, for the SQLite write connection's hot statements:
/// Microsoft.Data.Sqlite compiles the SQL of every new command, which cost more than running these small statements.
/// Only for a connection used by one caller at a time (SqliteWriter's). The parameters are created once, in the order
/// given; callers set their values by position.
/// </summary>
internal static class PreparedCommands
{
    private static readonly ConditionalWeakTable<DbConnection, Dictionary<string, DbCommand>> Cache = new();

    public static DbCommand Get(DbConnection connection, DbTransaction? transaction, string sql, params string[] parameterNames)
    {
        var commands = Cache.GetOrCreateValue(connection);
        if (!commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameterNames)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = DBNull.Value;
                command.Parameters.Add(parameter);
            }

            command.Transaction = transaction;
            command.Prepare();
            commands.Add(sql, command);
        }

        command.Transaction = transaction;
        return command;
    }
}
