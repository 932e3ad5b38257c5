-- runs/search ordered by a metric walks this index in order (Tracking/Search/MetricWalkPage): numbers apart from
-- NaN, by value, with run_uuid in the index so the walk never reads the table. It also serves metric filters,
-- so it replaces latest_metrics_by_key and log-batch keeps one secondary index on latest_metrics to update.
CREATE INDEX latest_metrics_by_key_value ON latest_metrics (key, is_nan, value, run_uuid);
DROP INDEX latest_metrics_by_key;

-- Param and tag filters probe "does this run have key = value": with run_uuid in the (key, value) index that is
-- one index lookup (index-only on PostgreSQL), not an index lookup plus a table read.
CREATE INDEX params_by_key_value ON params (key, value, run_uuid);
DROP INDEX params_by_key;
CREATE INDEX tags_by_key_value ON tags (key, value, run_uuid);
DROP INDEX tags_by_key;
