-- Tracking schema: experiments, runs, their params, tags, metrics and dataset inputs.
-- One file serves SQLite and PostgreSQL; {{serial_pk}} and {{now}} are its only tokens (see Migrator).

CREATE TABLE experiments (
    experiment_id     {{serial_pk}},
    name              VARCHAR(500) NOT NULL,
    artifact_location VARCHAR(2000),
    lifecycle_stage   VARCHAR(32) NOT NULL,
    creation_time     BIGINT NOT NULL,
    last_update_time  BIGINT NOT NULL,
    deleted_time      BIGINT,
    CONSTRAINT experiments_name_unique UNIQUE (name)
);

CREATE TABLE experiment_tags (
    experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    key           VARCHAR(250) NOT NULL,
    value         VARCHAR(5000) NOT NULL,
    PRIMARY KEY (experiment_id, key)
);

CREATE TABLE runs (
    run_uuid        VARCHAR(32) NOT NULL PRIMARY KEY,
    name            VARCHAR(250) NOT NULL,
    experiment_id   BIGINT NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    user_id         VARCHAR(256) NOT NULL,
    status          VARCHAR(9) NOT NULL,
    start_time      BIGINT NOT NULL,
    end_time        BIGINT,
    lifecycle_stage VARCHAR(20) NOT NULL,
    artifact_uri    VARCHAR(2000) NOT NULL,
    deleted_time    BIGINT
);
CREATE INDEX runs_by_experiment ON runs (experiment_id, lifecycle_stage, start_time DESC, run_uuid);

CREATE TABLE params (
    run_uuid VARCHAR(32) NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
    key      VARCHAR(250) NOT NULL,
    value    VARCHAR(6000) NOT NULL,
    PRIMARY KEY (run_uuid, key)
);
CREATE INDEX params_by_key ON params (key, value);

CREATE TABLE tags (
    run_uuid VARCHAR(32) NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
    key      VARCHAR(250) NOT NULL,
    value    VARCHAR(5000) NOT NULL,
    PRIMARY KEY (run_uuid, key)
);
CREATE INDEX tags_by_key ON tags (key, value);

-- Every logged point, in logging order (seq). NaN is stored as value 0 with is_nan set, as MLflow does,
-- because SQLite turns NaN into NULL.
CREATE TABLE metrics (
    seq       {{serial_pk}},
    run_uuid  VARCHAR(32) NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
    key       VARCHAR(250) NOT NULL,
    value     DOUBLE PRECISION NOT NULL,
    is_nan    BOOLEAN NOT NULL,
    timestamp BIGINT NOT NULL,
    step      BIGINT NOT NULL
);
CREATE INDEX metrics_by_run_key ON metrics (run_uuid, key, seq);

-- The summary value per (run, key): the maximum by (step, timestamp, value). Search filters and sorts on it.
CREATE TABLE latest_metrics (
    run_uuid  VARCHAR(32) NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
    key       VARCHAR(250) NOT NULL,
    value     DOUBLE PRECISION NOT NULL,
    is_nan    BOOLEAN NOT NULL,
    timestamp BIGINT NOT NULL,
    step      BIGINT NOT NULL,
    PRIMARY KEY (run_uuid, key)
);
CREATE INDEX latest_metrics_by_key ON latest_metrics (key, value);

CREATE TABLE datasets (
    dataset_uuid  VARCHAR(36) NOT NULL PRIMARY KEY,
    experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
    name          VARCHAR(500) NOT NULL,
    digest        VARCHAR(36) NOT NULL,
    source_type   VARCHAR(36) NOT NULL,
    source        TEXT NOT NULL,
    schema        TEXT,
    profile       TEXT,
    CONSTRAINT datasets_identity UNIQUE (experiment_id, name, digest)
);

CREATE TABLE run_inputs (
    run_uuid     VARCHAR(32) NOT NULL REFERENCES runs (run_uuid) ON DELETE CASCADE,
    dataset_uuid VARCHAR(36) NOT NULL REFERENCES datasets (dataset_uuid) ON DELETE CASCADE,
    PRIMARY KEY (run_uuid, dataset_uuid)
);
CREATE INDEX run_inputs_by_dataset ON run_inputs (dataset_uuid);

CREATE TABLE input_tags (
    run_uuid     VARCHAR(32) NOT NULL,
    dataset_uuid VARCHAR(36) NOT NULL,
    key          VARCHAR(255) NOT NULL,
    value        VARCHAR(500) NOT NULL,
    PRIMARY KEY (run_uuid, dataset_uuid, key),
    FOREIGN KEY (run_uuid, dataset_uuid) REFERENCES run_inputs (run_uuid, dataset_uuid) ON DELETE CASCADE
);

INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', {{now}}, {{now}});
