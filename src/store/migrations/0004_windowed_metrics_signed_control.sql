-- MetricsUpdate fields 25-28: the rates over the SLO window the guard judges by (the lifetime
-- landed_pct and neg_ev_rate stay beside them), and the outcomes and window they are over.
-- ControlCommand fields 10-11: which issuer key signed a command and whether it carried a
-- signature, so the ledger shows who could have issued it. The signature itself stays on the
-- bus (agents verify it there); 64 bytes per command add nothing a query needs.
-- Added with defaults: rows stored before read as zero / empty.

ALTER TABLE {{database}}.metrics
    ADD COLUMN IF NOT EXISTS landed_pct_window Float64 DEFAULT 0 AFTER landed_pct,
    ADD COLUMN IF NOT EXISTS neg_ev_rate_window Float64 DEFAULT 0 AFTER neg_ev_rate,
    ADD COLUMN IF NOT EXISTS decided_window UInt64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS window_ms Int64 DEFAULT 0;

ALTER TABLE {{database}}.control_commands
    ADD COLUMN IF NOT EXISTS key_id LowCardinality(String) DEFAULT '' AFTER source,
    ADD COLUMN IF NOT EXISTS signed Bool DEFAULT false AFTER key_id;
