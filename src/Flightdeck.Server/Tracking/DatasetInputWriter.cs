using Dapper;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;

namespace Flightdeck.Server.Tracking;

/// <summary>
/// Dataset inputs of runs (log-inputs). A dataset is identified within its experiment by (name, digest);
/// logging the same one again changes nothing, as in MLflow. An input tag <c>flightdeck.owner</c> sets the dataset's owner
/// when it has none yet (the first to claim it keeps it; <c>PUT /api/flightdeck/v1/datasets/{id}/owner</c> changes it).
/// </summary>
internal sealed class DatasetInputWriter(Database database)
{
    public const string OwnerTag = "flightdeck.owner";

    public static List<DatasetInput> Validate(IReadOnlyList<DatasetInput>? datasets)
    {
        if (datasets is null)
        {
            throw Validation.Missing("datasets");
        }

        for (var i = 0; i < datasets.Count; i++)
        {
            var d = datasets[i]?.Dataset ?? throw Validation.Missing($"datasets[{i}].dataset");
            Limit(Validation.Required(d.Name, $"datasets[{i}].dataset.name"), Validation.MaxDatasetNameLength, "name");
            Limit(Validation.Required(d.Digest, $"datasets[{i}].dataset.digest"), Validation.MaxDatasetDigestLength, "digest");
            Limit(Validation.Required(d.SourceType, $"datasets[{i}].dataset.source_type"), Validation.MaxDatasetSourceTypeLength, "source_type");
            Limit(Validation.Required(d.Source, $"datasets[{i}].dataset.source"), Validation.MaxDatasetSourceLength, "source");
            Limit(d.Schema, Validation.MaxDatasetSchemaLength, "schema");
            Limit(d.Profile, Validation.MaxDatasetProfileLength, "profile");
            foreach (var tag in datasets[i].Tags ?? [])
            {
                Limit(Validation.Required(tag?.Key, $"datasets[{i}].tags.key"), Validation.MaxInputTagKeyLength, "input tag key");
                Limit(Validation.Required(tag!.Value, $"datasets[{i}].tags.value"), Validation.MaxInputTagValueLength, "input tag value");
                if (tag.Key == OwnerTag)
                {
                    Limit(tag.Value, Lineage.DatasetStore.MaxOwnerLength, "owner (" + OwnerTag + " tag)");
                }
            }
        }

        return datasets.ToList();
    }

    public Task LogAsync(string runId, List<DatasetInput> inputs, CancellationToken ct) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await RunStore.RequireActiveAsync(connection, transaction, runId, ct);
            var experimentId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT experiment_id FROM runs WHERE run_uuid = @runId", new { runId }, transaction, cancellationToken: ct));
            foreach (var input in inputs)
            {
                var d = input.Dataset!;
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, source, schema, profile, source_uri)
                    VALUES (@uuid, @experimentId, @Name, @Digest, @SourceType, @Source, @Schema, @Profile, @sourceUri)
                    ON CONFLICT (experiment_id, name, digest) DO NOTHING
                    """,
                    new
                    {
                        uuid = Guid.NewGuid().ToString(), experimentId, d.Name, d.Digest, d.SourceType, d.Source, d.Schema, d.Profile,
                        sourceUri = Lineage.DatasetSourceUri.FromFlightdeckSource(d.Source) ?? "",
                    },
                    transaction, cancellationToken: ct));
                var datasetUuid = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                    "SELECT dataset_uuid FROM datasets WHERE experiment_id = @experimentId AND name = @Name AND digest = @Digest",
                    new { experimentId, d.Name, d.Digest }, transaction, cancellationToken: ct));
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO run_inputs (run_uuid, dataset_uuid) VALUES (@runId, @datasetUuid) ON CONFLICT (run_uuid, dataset_uuid) DO NOTHING",
                    new { runId, datasetUuid }, transaction, cancellationToken: ct));
                if (input.Tags?.LastOrDefault(t => t!.Key == OwnerTag)?.Value is { Length: > 0 } owner)
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        "UPDATE datasets SET owner = @owner WHERE dataset_uuid = @datasetUuid AND owner IS NULL",
                        new { owner, datasetUuid }, transaction, cancellationToken: ct));
                }

                foreach (var tag in input.Tags ?? [])
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        """
                        INSERT INTO input_tags (run_uuid, dataset_uuid, key, value) VALUES (@runId, @datasetUuid, @Key, @Value)
                        ON CONFLICT (run_uuid, dataset_uuid, key) DO NOTHING
                        """, new { runId, datasetUuid, tag.Key, tag.Value }, transaction, cancellationToken: ct));
                }
            }
        }, ct);

    private static void Limit(string? value, int max, string what)
    {
        if (value is not null && value.Length > max)
        {
            throw FlightdeckException.InvalidParameter($"Dataset {what} of length {value.Length} exceeds the limit of {max} characters.");
        }
    }
}
