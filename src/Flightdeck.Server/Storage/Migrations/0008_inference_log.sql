-- The inference log: sampled inferences of the managed endpoints (inputs and outputs as JSON arrays of records),
-- written in batches off the request path, read back by the drift monitor by endpoint and time window.

CREATE TABLE inference_log (
    id           {{serial_pk}},
    request_id   VARCHAR(128) NOT NULL,
    -- Null for inferences outside a managed endpoint.
    endpoint     VARCHAR(256),
    model_name   VARCHAR(256) NOT NULL,
    version      VARCHAR(64) NOT NULL,
    -- LIVE, CANDIDATE, SHADOW…: which route of the endpoint answered.
    role         VARCHAR(32) NOT NULL,
    inputs_json  TEXT NOT NULL,
    -- Null when the inference failed.
    outputs_json TEXT,
    status       INTEGER NOT NULL,
    latency_us   BIGINT NOT NULL,
    -- Unix epoch milliseconds of the answer.
    time         BIGINT NOT NULL
);
CREATE INDEX inference_log_by_endpoint_time ON inference_log (endpoint, time);
