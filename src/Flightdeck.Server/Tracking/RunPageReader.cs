using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Flightdeck.Contracts;
using Flightdeck.Server.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Flightdeck.Server.Tracking;

/// <summary>
/// Reads runs rows and assembles full <see cref="Run"/>s: the children of a whole page (params, tags, latest metrics,
/// dataset inputs and their tags) come from one command of five statements, each bound to the page's ids as a single
/// parameter (an array on PostgreSQL, a JSON array on SQLite), and are read by ordinal straight into the answer's
/// objects. A page of 100 runs has ~2,500 child rows, and this is where a search page spent most of its time.
/// </summary>
internal static class RunPageReader
{
    public const string RunColumns =
        "r.run_uuid, r.name, r.experiment_id, r.user_id, r.status, r.start_time, r.end_time, r.lifecycle_stage, r.artifact_uri";

    /// <summary>Reads rows of <see cref="RunColumns"/>, in order.</summary>
    public static async Task<List<RunInfo>> ReadInfosAsync(DbDataReader reader, CancellationToken ct)
    {
        var infos = new List<RunInfo>();
        while (await reader.ReadAsync(ct))
        {
            var runId = reader.GetString(0);
            infos.Add(new RunInfo
            {
                RunId = runId,
                RunUuid = runId,
                RunName = reader.GetString(1),
                ExperimentId = reader.GetInt64(2).ToString(CultureInfo.InvariantCulture),
                UserId = reader.GetString(3),
                Status = RunStatusConverter.Instance.TryParse(reader.GetString(4), out var status) ? status : RunStatus.Running,
                StartTime = reader.GetInt64(5),
                EndTime = reader.IsDBNull(6) ? null : reader.GetInt64(6),
                LifecycleStage = reader.GetString(7),
                ArtifactUri = reader.GetString(8),
            });
        }

        return infos;
    }

    public static async Task<List<Run>> AssembleAsync(DbConnection connection, IReadOnlyList<RunInfo> infos, CancellationToken ct)
    {
        if (infos.Count == 0)
        {
            return [];
        }

        var positions = new Dictionary<string, int>(infos.Count, StringComparer.Ordinal);
        for (var i = 0; i < infos.Count; i++)
        {
            positions[infos[i].RunId] = i;
        }

        var data = new RunData[infos.Count];
        var inputs = new RunInputs[infos.Count];
        for (var i = 0; i < infos.Count; i++)
        {
            data[i] = new RunData();
            inputs[i] = new RunInputs();
        }

        await using var command = connection.CreateCommand();
        BindIds(command, infos);
        var inPage = command is NpgsqlCommand ? "= ANY(@ids)" : "IN (SELECT value FROM json_each(@ids))";
        command.CommandText = $"""
            SELECT run_uuid, key, value FROM params WHERE run_uuid {inPage};
            SELECT run_uuid, key, value FROM tags WHERE run_uuid {inPage};
            SELECT run_uuid, key, value, is_nan, timestamp, step FROM latest_metrics WHERE run_uuid {inPage};
            SELECT ri.run_uuid, d.dataset_uuid, d.name, d.digest, d.source_type, d.source, d.schema, d.profile
              FROM run_inputs ri JOIN datasets d ON d.dataset_uuid = ri.dataset_uuid WHERE ri.run_uuid {inPage};
            SELECT run_uuid, dataset_uuid, key, value FROM input_tags WHERE run_uuid {inPage};
            """;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            data[positions[reader.GetString(0)]].Params.Add(new Param(reader.GetString(1), reader.GetString(2)));
        }

        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            data[positions[reader.GetString(0)]].Tags.Add(new RunTag(reader.GetString(1), reader.GetString(2)));
        }

        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            // NaN is stored as 0 with is_nan set (SQLite would store a NaN as NULL); is_nan is 0/1 on SQLite.
            var isNan = reader.GetBoolean(3);
            data[positions[reader.GetString(0)]].Metrics.Add(new Metric
            {
                Key = reader.GetString(1),
                Value = isNan ? double.NaN : reader.GetDouble(2),
                Timestamp = reader.GetInt64(4),
                Step = reader.GetInt64(5),
            });
        }

        await reader.NextResultAsync(ct);
        var datasetTags = new Dictionary<(int Run, string Dataset), List<InputTag>>();
        while (await reader.ReadAsync(ct))
        {
            var position = positions[reader.GetString(0)];
            var tags = new List<InputTag>();
            datasetTags[(position, reader.GetString(1))] = tags;
            inputs[position].DatasetInputs.Add(new DatasetInput
            {
                Dataset = new Dataset
                {
                    Name = reader.GetString(2),
                    Digest = reader.GetString(3),
                    SourceType = reader.GetString(4),
                    Source = reader.GetString(5),
                    Schema = reader.IsDBNull(6) ? null : reader.GetString(6),
                    Profile = reader.IsDBNull(7) ? null : reader.GetString(7),
                },
                Tags = tags,
            });
        }

        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (datasetTags.TryGetValue((positions[reader.GetString(0)], reader.GetString(1)), out var tags))
            {
                tags.Add(new InputTag(reader.GetString(2), reader.GetString(3)));
            }
        }

        var runs = new List<Run>(infos.Count);
        for (var i = 0; i < infos.Count; i++)
        {
            // Children come in index order, which is not always ordinal order: sort each run's few rows here.
            data[i].Params.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            data[i].Tags.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            data[i].Metrics.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            runs.Add(new Run { Info = infos[i], Data = data[i], Inputs = inputs[i] });
        }

        return runs;
    }

    private static void BindIds(DbCommand command, IReadOnlyList<RunInfo> infos)
    {
        if (command is NpgsqlCommand npgsql)
        {
            var ids = new string[infos.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = infos[i].RunId;
            }

            npgsql.Parameters.Add(new NpgsqlParameter("@ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids });
            return;
        }

        var json = new StringBuilder(infos.Count * 36);
        for (var i = 0; i < infos.Count; i++)
        {
            json.Append(i == 0 ? "[\"" : ",\"").Append(JsonEncodedText.Encode(infos[i].RunId).Value).Append('"');
        }

        RunLogWriter.AddParameter(command, "@ids", json.Append(']').ToString());
    }
}
