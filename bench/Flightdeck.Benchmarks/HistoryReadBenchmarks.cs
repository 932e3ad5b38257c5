using System.Data;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Dapper;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Benchmarks;

/// <summary>
/// Where the time of a million-point get-history goes: the store's reader alone (the query the server runs, every
/// column read), and the reader plus the JSON the server writes (into a discarding stream, no HTTP).
/// </summary>
public class HistoryReadBenchmarks
{
    private const string Key = "loss";
    private BenchStore? _store;

    [Params("sqlite", "postgres")]
    public string Store { get; set; } = "sqlite";

    [Params(1_000_000)]
    public int Points { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _store = await BenchStore.CreateAsync(Store);
        await using var connection = await _store.Database.OpenAsync(CancellationToken.None);
        var series = _store.Database.IsSqlite
            ? "WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n + 1 < @points) SELECT @run, @key, 1.0 / (n + 1), 0, 1700000000000 + n, n FROM s"
            : "SELECT @run, @key, 1.0 / (n + 1), FALSE, 1700000000000 + n, n FROM generate_series(0, @points - 1) AS s(n)";
        await connection.ExecuteAsync($"INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp, step) {series}",
            new { run = _store.RunId, key = Key, points = (long)Points }, commandTimeout: 600);
        if (!_store.Database.IsSqlite)
        {
            await connection.ExecuteAsync("ANALYZE metrics");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _store!.DisposeAsync();

    [Benchmark]
    public async Task<long> ReadRows()
    {
        await using var connection = await _store!.Database.OpenAsync(CancellationToken.None);
        await using var command = Query(connection);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess);
        var sum = 0L;
        while (await reader.ReadAsync())
        {
            sum += reader.GetString(0).Length + (long)reader.GetDouble(1) + (reader.GetBoolean(2) ? 1 : 0) + reader.GetInt64(3) + reader.GetInt64(4);
        }

        return sum;
    }

    [Benchmark]
    public async Task<long> ReadRowsAndWriteJson()
    {
        await using var connection = await _store!.Database.OpenAsync(CancellationToken.None);
        await using var command = Query(connection);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess);
        await using var sink = new CountingStream();
        await using (var json = new Utf8JsonWriter(sink, new JsonWriterOptions { SkipValidation = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("metrics");
            var written = 0;
            while (await reader.ReadAsync())
            {
                json.WriteStartObject();
                json.WriteString("key", reader.GetString(0));
                json.WriteNumber("value", reader.GetDouble(1));
                json.WriteBoolean("nan", reader.GetBoolean(2));
                json.WriteNumber("timestamp", reader.GetInt64(3));
                json.WriteNumber("step", reader.GetInt64(4));
                json.WriteEndObject();
                if (++written % 2048 == 0)
                {
                    await json.FlushAsync();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return sink.Length;
    }

    private System.Data.Common.DbCommand Query(System.Data.Common.DbConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = "SELECT key, value, is_nan, timestamp, step FROM metrics WHERE run_uuid = @r AND key = @k ORDER BY seq";
        RunLogWriter.AddParameter(command, "@r", _store!.RunId);
        RunLogWriter.AddParameter(command, "@k", Key);
        return command;
    }

    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
