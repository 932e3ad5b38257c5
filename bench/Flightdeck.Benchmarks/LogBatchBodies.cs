using System.Globalization;
using System.Text;

namespace Flightdeck.Benchmarks;

/// <summary>The same log-batch bodies that bench/scripts/log-batch.lua sends: COUNT points over 10 keys.</summary>
internal static class LogBatchBodies
{
    public static byte[] Create(string runId, int count, int firstStep = 0)
    {
        var json = new StringBuilder("{\"run_id\":\"").Append(runId).Append("\",\"metrics\":[");
        for (var i = 0; i < count; i++)
        {
            var key = i % 10;
            var step = firstStep + i / 10;
            json.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture,
                $"{{\"key\":\"m{key}\",\"value\":{(step % 1000) / 1000.0 + key:F6},\"timestamp\":{1_700_000_000_000L + i},\"step\":{step}}}");
        }

        return Encoding.UTF8.GetBytes(json.Append("]}").ToString());
    }
}
