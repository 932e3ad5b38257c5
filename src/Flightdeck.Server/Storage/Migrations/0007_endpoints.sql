-- Managed serving endpoints (Endpoints/): each endpoint's traffic, settings and latest rollout, and the history of its
-- changes. Routes, settings, rollout and guardrail readings are the API's own JSON shapes (EndpointMessages.cs).

CREATE TABLE endpoints (
    name              VARCHAR(64) NOT NULL PRIMARY KEY,
    description       VARCHAR(5000),
    -- READY, or UPDATING while a rollout is in progress.
    state             VARCHAR(32) NOT NULL,
    routes_json       TEXT NOT NULL,
    settings_json     TEXT NOT NULL,
    rollout_json      TEXT,
    -- Bumped by every change; a write that read an older value is refused (several servers may share one database).
    row_version       BIGINT NOT NULL,
    creation_time     BIGINT NOT NULL,
    last_updated_time BIGINT NOT NULL
);

-- Every change of an endpoint, kept after the endpoint is deleted (history and lineage read it).
CREATE TABLE endpoint_events (
    id            {{serial_pk}},
    endpoint_name VARCHAR(64) NOT NULL,
    event_time    BIGINT NOT NULL,
    type          VARCHAR(32) NOT NULL,
    routes_json   TEXT NOT NULL,
    rollout_id    VARCHAR(64),
    reason        VARCHAR(5000),
    reading_json  TEXT
);
CREATE INDEX endpoint_events_by_endpoint ON endpoint_events (endpoint_name, id DESC);

-- Each model version an endpoint's routes ever named, from its events: the lineage edges model version → endpoint.
CREATE TABLE endpoint_versions (
    endpoint_name VARCHAR(64) NOT NULL,
    model_name    VARCHAR(256) NOT NULL,
    version       INTEGER NOT NULL,
    first_time    BIGINT NOT NULL,
    PRIMARY KEY (endpoint_name, model_name, version)
);
CREATE INDEX endpoint_versions_by_model ON endpoint_versions (model_name, version);
