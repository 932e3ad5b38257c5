-- Lineage: datasets gain an owner and a normalised source URI; OpenLineage RunEvents are stored as received and
-- folded into jobs, datasets and the job-to-dataset edges the lineage graph walks (as Marquez does, at job level).

ALTER TABLE datasets ADD COLUMN owner VARCHAR(256);
-- The location the dataset's source names (see Lineage/DatasetSourceUri.cs); NULL until computed for older rows.
ALTER TABLE datasets ADD COLUMN source_uri VARCHAR(2000);
CREATE INDEX datasets_by_name ON datasets (name);
CREATE INDEX datasets_by_source_uri ON datasets (source_uri);

-- Every accepted event, verbatim, in arrival order.
CREATE TABLE openlineage_events (
    id            {{serial_pk}},
    run_id        VARCHAR(36) NOT NULL,
    event_type    VARCHAR(16),
    event_time    BIGINT NOT NULL,
    job_namespace VARCHAR(500) NOT NULL,
    job_name      VARCHAR(1000) NOT NULL,
    producer      VARCHAR(2000) NOT NULL,
    received_time BIGINT NOT NULL,
    body          TEXT NOT NULL
);
CREATE INDEX openlineage_events_by_run ON openlineage_events (run_id, id);

CREATE TABLE openlineage_jobs (
    namespace     VARCHAR(500) NOT NULL,
    name          VARCHAR(1000) NOT NULL,
    facets        TEXT,
    created_time  BIGINT NOT NULL,
    updated_time  BIGINT NOT NULL,
    PRIMARY KEY (namespace, name)
);

CREATE TABLE openlineage_runs (
    run_id        VARCHAR(36) NOT NULL PRIMARY KEY,
    job_namespace VARCHAR(500) NOT NULL,
    job_name      VARCHAR(1000) NOT NULL,
    state         VARCHAR(16),
    state_time    BIGINT NOT NULL,
    start_time    BIGINT,
    end_time      BIGINT,
    facets        TEXT,
    updated_time  BIGINT NOT NULL
);
CREATE INDEX openlineage_runs_by_job ON openlineage_runs (job_namespace, job_name, state_time);

CREATE TABLE openlineage_datasets (
    namespace    VARCHAR(500) NOT NULL,
    name         VARCHAR(1000) NOT NULL,
    uri          VARCHAR(2000) NOT NULL,
    facets       TEXT,
    updated_time BIGINT NOT NULL,
    PRIMARY KEY (namespace, name)
);
CREATE INDEX openlineage_datasets_by_uri ON openlineage_datasets (uri);

-- direction is 'input' (the job read the dataset) or 'output' (it wrote it), over all of the job's runs.
CREATE TABLE openlineage_job_io (
    job_namespace     VARCHAR(500) NOT NULL,
    job_name          VARCHAR(1000) NOT NULL,
    dataset_namespace VARCHAR(500) NOT NULL,
    dataset_name      VARCHAR(1000) NOT NULL,
    direction         VARCHAR(6) NOT NULL,
    last_run_id       VARCHAR(36) NOT NULL,
    updated_time      BIGINT NOT NULL,
    PRIMARY KEY (job_namespace, job_name, dataset_namespace, dataset_name, direction)
);
CREATE INDEX openlineage_job_io_by_dataset ON openlineage_job_io (dataset_namespace, dataset_name, direction);

-- The OpenLineage events Flightdeck has emitted for its own runs (START, and one of COMPLETE/FAIL/ABORT): each is
-- enqueued in the outbox once, in the transaction that records it here.
CREATE TABLE openlineage_emissions (
    run_uuid     VARCHAR(32) NOT NULL,
    phase        VARCHAR(8) NOT NULL,
    event_type   VARCHAR(16) NOT NULL,
    outbox_id    BIGINT NOT NULL,
    emitted_time BIGINT NOT NULL,
    PRIMARY KEY (run_uuid, phase)
);
