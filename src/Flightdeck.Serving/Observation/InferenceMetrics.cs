using System.Diagnostics;

namespace Flightdeck.Serving;

/// <summary>Counts every inference on the serving meter: requests and errors, and the latency histogram, labelled by
/// endpoint (absent outside endpoints), model, version, role and status class (2xx, 4xx, 5xx).</summary>
public sealed class InferenceMetrics : IInferenceObserver
{
    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    public void OnInference(InferenceRecord record)
    {
        var tags = new TagList();
        if (record.Endpoint is not null)
            tags.Add("endpoint", record.Endpoint);
        tags.Add("model", record.ModelName);
        tags.Add("version", record.Version);
        tags.Add("role", record.Role);
        tags.Add("status_class", StatusClass(record.StatusCode));
        ServingMetrics.Requests.Add(1, tags);
        if (record.StatusCode >= 400)
            ServingMetrics.Errors.Add(1, tags);
        ServingMetrics.RequestSeconds.Record(record.Latency.TotalSeconds, tags);
    }

    private static string StatusClass(int status) => status is >= 100 and < 600 ? StatusClasses[(status / 100) - 1] : "other";
}
