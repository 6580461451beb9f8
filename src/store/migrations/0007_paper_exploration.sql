-- Opportunity field 24: the opportunity went out only because of paper exploration
-- (agent.paperExploration: the policies would have skipped it; sent at the minimum tip so a
-- trained model sees outcomes on both sides of the gate). Added with a default: rows stored
-- before read as not exploring.

ALTER TABLE {{database}}.arb_opportunities
    ADD COLUMN IF NOT EXISTS explore Bool DEFAULT false AFTER hot_path_us;

ALTER TABLE {{database}}.mev_opportunities
    ADD COLUMN IF NOT EXISTS explore Bool DEFAULT false AFTER hot_path_us;
