-- Opportunity fields 22-23: the score a candidate model gave the same feature vector in
-- shadow beside the live model, and the candidate's version, so the live and shadow models'
-- AUC, log-loss and would-be profit compare on the same live traffic (GET
-- /api/models/:module/shadow). Added with defaults: rows stored before read as no shadow
-- (version '').

ALTER TABLE {{database}}.arb_opportunities
    ADD COLUMN IF NOT EXISTS shadow_score Float64 DEFAULT 0 AFTER model_version,
    ADD COLUMN IF NOT EXISTS shadow_model_version LowCardinality(String) DEFAULT '' AFTER shadow_score;

ALTER TABLE {{database}}.mev_opportunities
    ADD COLUMN IF NOT EXISTS shadow_score Float64 DEFAULT 0 AFTER model_version,
    ADD COLUMN IF NOT EXISTS shadow_model_version LowCardinality(String) DEFAULT '' AFTER shadow_score;
