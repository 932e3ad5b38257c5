using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

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

    private static readonly ConditionalWeakTable<DbConnection, Dictionary<string, sqlite3_stmt>> RawCache = new();

    /// <summary>
    /// A SQLitePCL statement kept prepared for this connection (parameters ?1, ?2, ...), for per-row loops where
    /// SqliteCommand's own per-execution work is the larger cost. Callers bind, step and reset it.
    /// </summary>
    public static sqlite3_stmt GetRaw(SqliteConnection connection, string sql)
    {
        var statements = RawCache.GetOrCreateValue(connection);
        if (!statements.TryGetValue(sql, out var statement))
        {
            Check(connection, raw.sqlite3_prepare_v2(connection.Handle!, sql, out statement));
            statements.Add(sql, statement);
        }

        return statement;
    }

    /// <summary>
    /// Finalizes the statements kept for <paramref name="connection"/>; call it before disposing the connection, since
    /// SQLite keeps a connection with unfinalized statements open (a "zombie" holding its file) after close.
    /// </summary>
    public static void Release(DbConnection connection)
    {
        if (RawCache.TryGetValue(connection, out var statements))
        {
            foreach (var statement in statements.Values)
            {
                statement.Dispose();
            }

            RawCache.Remove(connection);
        }

        if (Cache.TryGetValue(connection, out var commands))
        {
            foreach (var command in commands.Values)
            {
                command.Dispose();
            }

            Cache.Remove(connection);
        }
    }

    /// <summary>Throws SQLite's error for a failed call (<paramref name="rc"/> not OK), as Microsoft.Data.Sqlite would.</summary>
    public static void Check(DbConnection connection, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            var handle = ((SqliteConnection)connection).Handle!;
            throw new SqliteException(raw.sqlite3_errmsg(handle).utf8_to_string(), rc, raw.sqlite3_extended_errcode(handle));
        }
    }

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
