-- Model registry: registered models, their versions, tags and aliases, and the history of every registry change.
-- Renames cascade through the foreign keys; registry_events has none, so a model's history outlives its deletion.

CREATE TABLE registered_models (
    name              VARCHAR(256) NOT NULL PRIMARY KEY,
    creation_time     BIGINT NOT NULL,
    last_updated_time BIGINT NOT NULL,
    description       VARCHAR(5000),
    -- The highest version number ever allocated: versions are never reused, even after a delete.
    last_version      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE registered_model_tags (
    name  VARCHAR(256) NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
    key   VARCHAR(250) NOT NULL,
    value VARCHAR(5000) NOT NULL,
    PRIMARY KEY (name, key)
);

CREATE TABLE model_versions (
    name              VARCHAR(256) NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
    version           INTEGER NOT NULL,
    creation_time     BIGINT NOT NULL,
    last_updated_time BIGINT NOT NULL,
    description       VARCHAR(5000),
    user_id           VARCHAR(256),
    current_stage     VARCHAR(20) NOT NULL,
    source            VARCHAR(2000) NOT NULL,
    storage_location  VARCHAR(2000) NOT NULL,
    run_id            VARCHAR(32),
    run_link          VARCHAR(2000),
    status            VARCHAR(20) NOT NULL,
    CONSTRAINT model_versions_name_version_unique UNIQUE (name, version)
);
CREATE INDEX model_versions_by_run ON model_versions (run_id);

CREATE TABLE model_version_tags (
    name    VARCHAR(256) NOT NULL,
    version INTEGER NOT NULL,
    key     VARCHAR(250) NOT NULL,
    value   VARCHAR(5000) NOT NULL,
    PRIMARY KEY (name, version, key),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE registered_model_aliases (
    name    VARCHAR(256) NOT NULL,
    alias   VARCHAR(255) NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (name, alias),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
);

-- Append-only. alias is set for alias events so "which version held alias A at time T" is one indexed lookup.
CREATE TABLE registry_events (
    id          {{serial_pk}},
    name        VARCHAR(256) NOT NULL,
    version     INTEGER,
    alias       VARCHAR(255),
    event_type  VARCHAR(64) NOT NULL,
    actor       VARCHAR(256) NOT NULL,
    event_time  BIGINT NOT NULL,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX registry_events_by_name ON registry_events (name, id);
CREATE INDEX registry_events_by_alias ON registry_events (name, alias, event_time);
