using Dapper;
using Flightdeck.Server.Storage;
using Flightdeck.Serving;

namespace Flightdeck.Server.Monitoring;

/// <summary>The server's inference log sink: each batch is one transaction on the backend store (on SQLite it joins the
/// group commit of <see cref="SqliteWriter"/>), so a batch is stored whole or not at all.</summary>
public sealed class DatabaseInferenceLogSink(Database database) : IInferenceLogSink
{
    private const string Insert = """
        INSERT INTO inference_log (request_id, endpoint, model_name, version, role, inputs_json, outputs_json, status, latency_us, time)
        VALUES (@RequestId, @Endpoint, @ModelName, @Version, @Role, @InputsJson, @OutputsJson, @Status, @LatencyUs, @Time)
        """;

    public Task WriteAsync(IReadOnlyList<InferenceLogEntry> entries, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) =>
            connection.ExecuteAsync(new CommandDefinition(Insert, entries, transaction, cancellationToken: cancellationToken)), cancellationToken);
}
