using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Flightdeck.Server.Tests.Tracking.RunsTests;

namespace Flightdeck.Server.Tests.Robustness;

/// <summary>Bodies over the limits: a 413 or 400 with an error body, and nothing of the batch written.</summary>
public sealed class OversizedBodyTests
{
    private const int FiftyMegabytes = 50 * 1024 * 1024;

    [Fact]
    public async Task A_50_MB_log_batch_with_a_content_length_gets_413()
    {
        await using var server = await TestServer.StartAsync();
        var runId = await CreateRunAsync(server);
        await using var snapshot = await StoreSnapshot.OpenAsync(server.Services.GetRequiredService<Database>());
        var before = await snapshot.TakeAsync();

        using var response = await server.Http.PostAsync("api/2.0/mlflow/runs/log-batch", BigBatch(runId, FiftyMegabytes, chunked: false));

        await TestServer.ReadErrorAsync(response, 413, ErrorCode.RequestLimitExceeded);
        Assert.Equal(before, await snapshot.TakeAsync());
    }

    /// <summary>
    /// Without a Content-Length the server only learns the size while reading. It answers 413 and closes the connection
    /// mid-upload, which HttpClient reports as a broken pipe, so this client writes the chunks itself and reads the answer.
    /// </summary>
    [Fact]
    public async Task A_50_MB_chunked_log_batch_gets_413_and_the_server_keeps_serving()
    {
        await using var server = await TestServer.StartAsync();
        var runId = await CreateRunAsync(server);
        await using var snapshot = await StoreSnapshot.OpenAsync(server.Services.GetRequiredService<Database>());
        var before = await snapshot.TakeAsync();

        var answer = await RawChunkedPostAsync(server.BaseAddress, "/api/2.0/mlflow/runs/log-batch", BatchBytes(runId, FiftyMegabytes));

        Assert.StartsWith("HTTP/1.1 413", answer, StringComparison.Ordinal);
        Assert.Contains(ErrorCode.RequestLimitExceeded, answer, StringComparison.Ordinal);
        Assert.Equal(before, await snapshot.TakeAsync());
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("health")).StatusCode);
    }

    private static async Task<string> RawChunkedPostAsync(Uri baseAddress, string path, byte[] body)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        var stream = client.GetStream();
        var head = $"POST {path} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            for (var offset = 0; offset < body.Length; offset += 64 * 1024)
            {
                var length = Math.Min(64 * 1024, body.Length - offset);
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"{length:x}\r\n"));
                await stream.WriteAsync(body.AsMemory(offset, length));
                await stream.WriteAsync("\r\n"u8.ToArray());
            }

            await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
        }
        catch (IOException)
        {
            // The server stopped reading once the limit was passed; its answer is already on the way.
        }

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var buffer = new char[4096];
        var read = await reader.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        return new string(buffer, 0, read);
    }

    [Fact]
    public async Task A_batch_just_over_the_byte_limit_writes_none_of_its_metrics()
    {
        await using var server = await TestServer.StartAsync();
        var runId = await CreateRunAsync(server);
        await using var snapshot = await StoreSnapshot.OpenAsync(server.Services.GetRequiredService<Database>());
        var before = await snapshot.TakeAsync();

        // Well-formed metrics up to 5 MB, so that a reader that streamed and wrote as it parsed would have written some.
        using var response = await server.Http.PostAsync("api/2.0/mlflow/runs/log-batch", BigBatch(runId, 5 * 1024 * 1024, chunked: true));

        await TestServer.ReadErrorAsync(response, 413, ErrorCode.RequestLimitExceeded);
        Assert.Equal(before, await snapshot.TakeAsync());
    }

    [Theory]
    [MemberData(nameof(StoreBackend.All), MemberType = typeof(StoreBackend))]
    public async Task A_batch_over_an_entity_limit_writes_nothing(string backend)
    {
        await using var server = await TestServer.StartAsync(backend);
        var runId = await CreateRunAsync(server);
        await using var snapshot = await StoreSnapshot.OpenAsync(server.Services.GetRequiredService<Database>());
        var before = await snapshot.TakeAsync();

        var batches = new object[]
        {
            new { run_id = runId, metrics = Enumerable.Range(0, 1001).Select(i => new { key = "m", value = 1.0, timestamp = 1, step = i }) },
            new { run_id = runId, @params = Enumerable.Range(0, 101).Select(i => new { key = $"p{i}", value = "v" }) },
            new { run_id = runId, tags = Enumerable.Range(0, 101).Select(i => new { key = $"t{i}", value = "v" }) },
            new
            {
                run_id = runId,
                metrics = Enumerable.Range(0, 900).Select(i => new { key = "m", value = 1.0, timestamp = 1, step = i }),
                @params = Enumerable.Range(0, 100).Select(i => new { key = $"p{i}", value = "v" }),
                tags = Enumerable.Range(0, 50).Select(i => new { key = $"t{i}", value = "v" }),
            },
            new { run_id = runId, @params = new[] { new { key = "dup", value = "a" }, new { key = "dup", value = "b" } } },
            new { run_id = runId, metrics = new[] { new { key = "ok", value = 1.0, timestamp = 1, step = 0 }, new { key = "bad/../key", value = 1.0, timestamp = 1, step = 0 } } },
        };
        foreach (var batch in batches)
        {
            using var response = await server.PostAsync("runs/log-batch", batch);
            await TestServer.ReadErrorAsync(response, 400, ErrorCode.InvalidParameterValue);
        }

        Assert.Equal(before, await snapshot.TakeAsync());
    }

    /// <summary>A syntactically valid log-batch body of about <paramref name="bytes"/> bytes of metrics.</summary>
    private static byte[] BatchBytes(string runId, int bytes)
    {
        var builder = new StringBuilder(bytes + 1024).Append("{\"run_id\": \"").Append(runId).Append("\", \"metrics\": [");
        for (var step = 0; builder.Length < bytes; step++)
        {
            builder.Append(step == 0 ? "" : ",").Append("{\"key\": \"m\", \"value\": 1.5, \"timestamp\": 1, \"step\": ").Append(step).Append('}');
        }

        return Encoding.UTF8.GetBytes(builder.Append("]}").ToString());
    }

    private static HttpContent BigBatch(string runId, int bytes, bool chunked)
    {
        var body = BatchBytes(runId, bytes);
        HttpContent content = chunked ? new StreamContent(new UnseekableStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
