-- dialect: postgres
-- The metric tables lose their foreign keys to runs on PostgreSQL. Each inserted row's check ran a lookup of the run
-- and took a KEY SHARE lock on its row, which roughly doubled the cost of a metric insert; log-batch checks that the
-- run is active itself, and garbage collection deletes a run's metric rows before the run. SQLite keeps its foreign
-- keys (they cost it little, and it cannot drop a constraint without rebuilding the table).
ALTER TABLE metrics DROP CONSTRAINT IF EXISTS metrics_run_uuid_fkey;
ALTER TABLE latest_metrics DROP CONSTRAINT IF EXISTS latest_metrics_run_uuid_fkey;
