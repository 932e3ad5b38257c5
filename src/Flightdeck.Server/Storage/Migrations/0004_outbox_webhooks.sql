-- The durable outbox: HTTP messages written in the transaction of the change that causes them, then delivered by a
-- background service, in order per destination, with retries. And the registry webhooks that feed it.

CREATE TABLE outbox_messages (
    id                {{serial_pk}},
    destination       VARCHAR(2000) NOT NULL,
    -- Who prepares the request just before it is sent (e.g. 'webhook' signs it); 'http' sends it as stored.
    kind              VARCHAR(64) NOT NULL,
    -- The kind's own reference (a webhook id) and what the message is about (an event type): for listings.
    subject           VARCHAR(64),
    topic             VARCHAR(128),
    payload           TEXT NOT NULL,
    headers_json      TEXT,
    created_time      BIGINT NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_time BIGINT NOT NULL,
    -- A claim by one delivering process; an expired lease (the process died) may be claimed again.
    lease_owner       VARCHAR(64),
    lease_until       BIGINT,
    delivered_time    BIGINT,
    -- Set when delivery was given up; the destination's later messages then proceed.
    failed_time       BIGINT,
    last_status       INTEGER,
    last_error        VARCHAR(2000)
);
-- The pending queue of each destination, oldest first: what the dispatcher claims from.
CREATE INDEX outbox_pending ON outbox_messages (destination, id) WHERE delivered_time IS NULL AND failed_time IS NULL;
CREATE INDEX outbox_by_subject ON outbox_messages (kind, subject, id);

CREATE TABLE webhooks (
    id                VARCHAR(32) NOT NULL PRIMARY KEY,
    name              VARCHAR(256) NOT NULL,
    description       VARCHAR(5000),
    url               VARCHAR(2000) NOT NULL,
    -- JSON array of event names such as "model_version.created", or ["*"].
    events_json       VARCHAR(4000) NOT NULL,
    -- When set, only this registered model's events are delivered.
    model_name        VARCHAR(256),
    -- The HMAC key of the signature header; never returned by the API.
    secret            VARCHAR(512),
    status            VARCHAR(20) NOT NULL,
    creation_time     BIGINT NOT NULL,
    last_updated_time BIGINT NOT NULL
);
