using System.Data;
using System.Data.Common;
using Flightdeck.Server.Storage;
using Flightdeck.Server.Tracking;

namespace Flightdeck.Server.Ui;

/// <summary>One metric of one run as columns sorted by step; points that are NaN or infinite are counted, not kept.</summary>
internal sealed record MetricSeries(long[] Steps, double[] Values, long[] Timestamps, int NonFinite)
{
    public int Count => Steps.Length;
}

/// <summary>
/// Reads a metric's points in a step range for charts. It reads the same metrics table as
/// <see cref="MetricHistoryReader"/>, but into columns, because the history reader writes straight into a response.
/// </summary>
internal sealed class MetricSeriesReader(Database database)
{
    public async Task<MetricSeries> ReadAsync(string runId, string key, long? minStep, long? maxStep, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using (var check = connection.CreateCommand())
        {
            check.CommandText = "SELECT COUNT(*) FROM runs WHERE run_uuid = @r";
            Add(check, "@r", runId);
            if (Convert.ToInt64(await check.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                throw Validation.RunNotFound(runId);
            }
        }

        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT step, value, is_nan, timestamp FROM metrics WHERE run_uuid = @r AND key = @k"
            + (minStep is null ? "" : " AND step >= @min") + (maxStep is null ? "" : " AND step <= @max") + " ORDER BY seq";
        Add(command, "@r", runId);
        Add(command, "@k", key);
        if (minStep is { } min)
        {
            Add(command, "@min", min);
        }

        if (maxStep is { } max)
        {
            Add(command, "@max", max);
        }

        var steps = new List<long>();
        var values = new List<double>();
        var timestamps = new List<long>();
        var nonFinite = 0;
        await using (var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var step = reader.GetInt64(0);
                var value = reader.GetDouble(1);
                var isNan = reader.GetBoolean(2);
                var timestamp = reader.GetInt64(3);
                if (isNan || !double.IsFinite(value))
                {
                    nonFinite++;
                    continue;
                }

                steps.Add(step);
                values.Add(value);
                timestamps.Add(timestamp);
            }
        }

        return SortByStep(steps.ToArray(), values.ToArray(), timestamps.ToArray(), nonFinite);
    }

    /// <summary>Points are usually logged in step order; when not, a stable sort keeps same-step points in logging order.</summary>
    internal static MetricSeries SortByStep(long[] steps, double[] values, long[] timestamps, int nonFinite)
    {
        var sorted = true;
        for (var i = 1; i < steps.Length && sorted; i++)
        {
            sorted = steps[i - 1] <= steps[i];
        }

        if (sorted)
        {
            return new MetricSeries(steps, values, timestamps, nonFinite);
        }

        var order = Enumerable.Range(0, steps.Length).OrderBy(i => steps[i]).ToArray();
        return new MetricSeries(order.Select(i => steps[i]).ToArray(), order.Select(i => values[i]).ToArray(),
            order.Select(i => timestamps[i]).ToArray(), nonFinite);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
