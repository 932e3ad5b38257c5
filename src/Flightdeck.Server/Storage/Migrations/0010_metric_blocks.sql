-- Summaries of each metric series (run, key) in fixed blocks of 64 rows by seq, so that a chart of a long series reads
-- a block row per 64 points instead of every point (Ui/MetricBlock.cs says what the chart needs of a block).
-- Blocks are full, immutable and numbered from 0; the rows after the last block (the tail) stay unsummarized until
-- MetricBlockSummarizer appends blocks for them. Like the metric tables on PostgreSQL (migration 0009) the table has
-- no foreign key to runs, on either store: garbage collection deletes a run's blocks after the run.
-- min_step and max_step cover every row of the block; ordered says its steps never decrease in seq order; the low and
-- high points are the first finite points with the block's lowest and highest value (null when none is finite).
CREATE TABLE metric_blocks (
    run_uuid       VARCHAR(32) NOT NULL,
    key            VARCHAR(250) NOT NULL,
    block          BIGINT NOT NULL,
    first_seq      BIGINT NOT NULL,
    last_seq       BIGINT NOT NULL,
    row_count      INTEGER NOT NULL,
    non_finite     INTEGER NOT NULL,
    ordered        BOOLEAN NOT NULL,
    min_step       BIGINT NOT NULL,
    max_step       BIGINT NOT NULL,
    low_seq        BIGINT,
    low_step       BIGINT,
    low_value      DOUBLE PRECISION,
    low_timestamp  BIGINT,
    high_seq       BIGINT,
    high_step      BIGINT,
    high_value     DOUBLE PRECISION,
    high_timestamp BIGINT,
    PRIMARY KEY (run_uuid, key, block)
);
