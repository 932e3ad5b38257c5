using System.Data.Common;
using BenchmarkDotNet.Attributes;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Benchmarks;

/// <summary>
/// How to insert N metric rows into SQLite in one transaction: the server's single multi-row INSERT with 5 bound
/// parameters per row, against one prepared single-row INSERT executed N times (SQLite runs in-process, so a
/// statement execution costs microseconds, not a network round trip). Only the metrics table, no upsert.
/// </summary>
public class SqliteInsertStrategyBenchmarks
{
    private BenchStore? _store;

    [Params(10, 100, 1000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public async Task SetupAsync() => _store = await BenchStore.CreateAsync("sqlite");

    [GlobalCleanup]
    public async Task CleanupAsync() => await _store!.DisposeAsync();

    [Benchmark(Baseline = true)]
    public async Task MultiRowValues()
    {
        await using var connection = await _store!.Database.OpenAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        RunLogWriter.AddParameter(command, "@r", _store.RunId);
        var sql = new System.Text.StringBuilder("INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp, step) VALUES ");
        for (var i = 0; i < Rows; i++)
        {
            sql.Append(i == 0 ? "" : ",").Append($"(@r,@k{i},@v{i},@n{i},@t{i},@s{i})");
            RunLogWriter.AddParameter(command, $"@k{i}", "m" + (i % 10));
            RunLogWriter.AddParameter(command, $"@v{i}", i * 0.5);
            RunLogWriter.AddParameter(command, $"@n{i}", false);
            RunLogWriter.AddParameter(command, $"@t{i}", 1_700_000_000_000L + i);
            RunLogWriter.AddParameter(command, $"@s{i}", (long)(i / 10));
        }

        command.CommandText = sql.ToString();
        await command.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    [Benchmark]
    public async Task PreparedSingleRow()
    {
        await using var connection = await _store!.Database.OpenAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp, step) VALUES ($r,$k,$v,$n,$t,$s)";
        var parameters = new[] { "$r", "$k", "$v", "$n", "$t", "$s" }.Select(name => Add(command, name)).ToArray();
        parameters[0].Value = _store.RunId;
        for (var i = 0; i < Rows; i++)
        {
            parameters[1].Value = "m" + (i % 10);
            parameters[2].Value = i * 0.5;
            parameters[3].Value = false;
            parameters[4].Value = 1_700_000_000_000L + i;
            parameters[5].Value = (long)(i / 10);
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <summary>One statement and one parameter, as PostgreSQL's unnest: the rows travel as a JSON array that SQLite expands.</summary>
    [Benchmark]
    public async Task JsonEachSelect()
    {
        var rows = new System.Text.StringBuilder("[");
        for (var i = 0; i < Rows; i++)
        {
            rows.Append(i == 0 ? "" : ",").Append(System.Globalization.CultureInfo.InvariantCulture,
                $"[\"m{i % 10}\",{i * 0.5:R},0,{1_700_000_000_000L + i},{i / 10}]");
        }

        await using var connection = await _store!.Database.OpenAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp, step)
            SELECT $r, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each($rows)
            """;
        Add(command, "$r").Value = _store.RunId;
        Add(command, "$rows").Value = rows.Append(']').ToString();
        await command.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    private static DbParameter Add(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
