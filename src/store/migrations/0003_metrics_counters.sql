-- MetricsUpdate fields 19-24: the cumulative counters the guard computes exact windowed rates
-- from (decided, negative outcomes, slow hot paths and the bound they were counted against),
-- and the eBPF probe's kernel send-path histograms, kept as one summary row per histogram
-- (name, map key, unit, total, p50/p99 upper bounds, interval) — the buckets stay on the bus.
-- Added with defaults: rows stored before read as zero / empty.

ALTER TABLE {{database}}.metrics
    ADD COLUMN IF NOT EXISTS decided UInt64 DEFAULT 0 AFTER landed,
    ADD COLUMN IF NOT EXISTS negative_outcomes UInt64 DEFAULT 0 AFTER decided,
    ADD COLUMN IF NOT EXISTS hotpath_slow UInt64 DEFAULT 0 AFTER negative_outcomes,
    ADD COLUMN IF NOT EXISTS hotpath_slow_ms Float64 DEFAULT 0 AFTER hotpath_slow,
    ADD COLUMN IF NOT EXISTS kernel_pid UInt32 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS kernel_send Nested(
        name String, key String, unit String, total UInt64, p50 Float64, p99 Float64, window_ms Int64
    );
