using static Flightdeck.Server.Tests.Robustness.FieldRole;

namespace Flightdeck.Server.Tests.Robustness;

/// <summary>Every tracking endpoint with a valid request and the roles of its fields, for the sweep.</summary>
internal static class TrackingEndpoints
{
    private static readonly FuzzField[] RunIdFields = [new("run_id", RunId), new("run_uuid", Lenient)];

    private static FuzzField[] KeyValueList(string list, int valueLimit) =>
        [new(list, List), new($"{list}/0", FieldRole.Object), new($"{list}/0/key", Key), new($"{list}/0/value", Text, valueLimit)];

    public static IReadOnlyList<FuzzEndpoint> All { get; } =
    [
        new("POST", "experiments/create", """{"name": "fuzz-new", "artifact_location": "/tmp/fuzz", "tags": [{"key": "k", "value": "v"}]}""",
            [new("name", Text, 500), new("artifact_location", Text, 2000), .. KeyValueList("tags", 5000)]),
        new("GET", "experiments/get", """{"experiment_id": "$EXP"}""", [new("experiment_id", ExperimentId)]),
        new("GET", "experiments/get-by-name", """{"experiment_name": "$EXPNAME"}""", [new("experiment_name", Lenient)]),
        new("POST", "experiments/update", """{"experiment_id": "$EXP", "new_name": "fuzz"}""",
            [new("experiment_id", ExperimentId), new("new_name", Text, 500)]),
        new("POST", "experiments/set-experiment-tag", """{"experiment_id": "$EXP", "key": "k", "value": "v"}""",
            [new("experiment_id", ExperimentId), new("key", Key), new("value", Text, 5000)]),
        new("POST", "experiments/delete-experiment-tag", """{"experiment_id": "$EXP", "key": "k"}""",
            [new("experiment_id", ExperimentId), new("key", Lenient)]),
        new("GET", "experiments/list", """{"view_type": "ALL"}""", [new("view_type", FieldRole.Enum)]),
        new("POST", "runs/create", """{"experiment_id": "$EXP", "user_id": "u", "run_name": "r", "start_time": 1, "tags": [{"key": "k", "value": "v"}]}""",
            [new("experiment_id", OptionalExperimentId), new("user_id", Text, 256), new("run_name", Text, 250),
             new("start_time", Integer), .. KeyValueList("tags", 5000)]),
        new("GET", "runs/get", """{"run_id": "$RUN"}""", RunIdFields),
        new("POST", "runs/update", """{"run_id": "$RUN", "status": "RUNNING", "end_time": 5, "run_name": "r"}""",
            [.. RunIdFields, new("status", FieldRole.Enum), new("end_time", Integer), new("run_name", Text, 250)]),
        new("POST", "runs/log-metric", """{"run_id": "$RUN", "key": "m", "value": 1.5, "timestamp": 1, "step": 0}""",
            [.. RunIdFields, new("key", Key), new("value", Real), new("timestamp", Integer), new("step", Integer)]),
        new("POST", "runs/log-parameter", """{"run_id": "$RUN", "key": "p", "value": "v"}""",
            [.. RunIdFields, new("key", Key), new("value", Text, 6000)]),
        new("POST", "runs/set-tag", """{"run_id": "$RUN", "key": "t", "value": "v"}""",
            [.. RunIdFields, new("key", Key), new("value", Text, 5000)]),
        new("POST", "runs/delete-tag", """{"run_id": "$RUN", "key": "t"}""", [.. RunIdFields, new("key", Lenient)]),
        new("POST", "runs/log-batch",
            """
            {"run_id": "$RUN", "metrics": [{"key": "m", "value": 2, "timestamp": 1, "step": 1}],
             "params": [{"key": "p", "value": "v"}], "tags": [{"key": "t", "value": "v"}]}
            """,
            [.. RunIdFields, new("metrics", List), new("metrics/0", FieldRole.Object), new("metrics/0/key", Key),
             new("metrics/0/value", Real), new("metrics/0/timestamp", Integer), new("metrics/0/step", Integer),
             .. KeyValueList("params", 6000), .. KeyValueList("tags", 5000)]),
        new("POST", "runs/log-inputs",
            """
            {"run_id": "$RUN", "datasets": [{"tags": [{"key": "mlflow.data.context", "value": "train"}],
              "dataset": {"name": "d", "digest": "abc", "source_type": "local", "source": "{}", "schema": "{}", "profile": "{}"}}]}
            """,
            [.. RunIdFields, new("datasets", List), new("datasets/0", FieldRole.Object), new("datasets/0/tags", List),
             new("datasets/0/tags/0/key", Lenient, 255), new("datasets/0/tags/0/value", Text, 500),
             new("datasets/0/dataset", FieldRole.Object), new("datasets/0/dataset/name", Text, 500),
             new("datasets/0/dataset/digest", Text, 36), new("datasets/0/dataset/source_type", Text, 36),
             new("datasets/0/dataset/source", Text, 65535), new("datasets/0/dataset/schema", Text),
             new("datasets/0/dataset/profile", Text)]),
        new("GET", "metrics/get-history", """{"run_id": "$RUN", "metric_key": "m", "max_results": "10"}""",
            [new("run_id", RunId), new("metric_key", Lenient), new("page_token", Lenient), new("max_results", Integer)]),
        new("GET", "metrics/get-history-bulk-interval", """{"run_ids": ["$RUN"], "metric_key": "m", "start_step": "0", "end_step": "5"}""",
            [new("run_ids", Lenient), new("metric_key", Lenient), new("start_step", Integer), new("end_step", Integer),
             new("max_results", Integer)]),
        new("POST", "runs/search", """{"experiment_ids": ["$EXP"], "filter": "metrics.m > 0", "max_results": 10, "order_by": ["start_time DESC"]}""",
            [new("experiment_ids", List), new("experiment_ids/0", Lenient), new("filter", Lenient), new("run_view_type", FieldRole.Enum),
             new("max_results", Integer), new("order_by", List), new("order_by/0", Lenient), new("page_token", Lenient)]),
        new("POST", "experiments/search", """{"filter": "name LIKE 'fuzz%'", "max_results": 10, "order_by": ["name"]}""",
            [new("filter", Lenient), new("view_type", FieldRole.Enum), new("max_results", Integer), new("order_by", List),
             new("order_by/0", Lenient), new("page_token", Lenient)]),
        new("GET", "experiments/search", """{"filter": "name LIKE 'fuzz%'", "max_results": "10"}""",
            [new("filter", Lenient), new("view_type", FieldRole.Enum), new("max_results", Integer), new("order_by", Lenient),
             new("page_token", Lenient)]),
        new("GET", "artifacts/list", """{"run_id": "$RUN", "path": "model"}""", [new("run_id", RunId), new("path", Lenient)]),
        new("GET", "/get-artifact", """{"run_id": "$RUN", "path": "model/MLmodel"}""", [new("run_id", RunId), new("path", Lenient)]),

        // Destructive calls last: a sweep that deletes its run or experiment only narrows what later cases reach.
        new("POST", "runs/delete", """{"run_id": "$RUN"}""", RunIdFields),
        new("POST", "runs/restore", """{"run_id": "$RUN"}""", RunIdFields),
        new("POST", "experiments/delete", """{"experiment_id": "$EXP"}""", [new("experiment_id", ExperimentId)]),
        new("POST", "experiments/restore", """{"experiment_id": "$EXP"}""", [new("experiment_id", ExperimentId)]),
        new("POST", "/api/flightdeck/v1/gc", """{"older_than_ms": 0}""",
            [new("older_than_ms", Integer), new("run_ids", List), new("experiment_ids", List)]),
    ];

}
