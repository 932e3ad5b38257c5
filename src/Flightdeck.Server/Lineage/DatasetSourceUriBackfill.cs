using Dapper;
using Flightdeck.Server.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flightdeck.Server.Lineage;

/// <summary>
/// Computes <c>datasets.source_uri</c> for datasets logged before migration 0003 added it (new ones get it when they are
/// logged). Runs once at start; an empty string marks a source that names no location.
/// </summary>
internal sealed class DatasetSourceUriBackfill(Database database, ILogger<DatasetSourceUriBackfill> logger) : BackgroundService
{
    private const int BatchSize = 500;

    private sealed class Row
    {
        public string dataset_uuid { get; set; } = "";
        public string source { get; set; } = "";
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                List<Row> rows;
                await using (var connection = await database.OpenAsync(stoppingToken))
                {
                    rows = [.. await connection.QueryAsync<Row>(new CommandDefinition(
                        $"SELECT dataset_uuid, source FROM datasets WHERE source_uri IS NULL LIMIT {BatchSize}", cancellationToken: stoppingToken))];
                }

                if (rows.Count == 0)
                {
                    return;
                }

                await database.WriteAsync(async (connection, transaction) =>
                {
                    foreach (var row in rows)
                    {
                        await connection.ExecuteAsync(new CommandDefinition(
                            "UPDATE datasets SET source_uri = @uri WHERE dataset_uuid = @id AND source_uri IS NULL",
                            new { uri = DatasetSourceUri.FromFlightdeckSource(row.source) ?? "", id = row.dataset_uuid },
                            transaction, cancellationToken: stoppingToken));
                    }
                }, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException)
        {
            // Typically a store not yet migrated (migrate-on-start off): datasets then match once `db upgrade` has run and
            // the server restarts.
            logger.LogWarning(ex, "Could not compute source URIs of older datasets.");
        }
    }
}
