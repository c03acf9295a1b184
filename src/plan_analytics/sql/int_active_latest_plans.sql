-- layer: intermediate (as of $as_of)
-- grain: one row per active episode that has a signed plan: its latest signed plan
-- A plan signed on day D is current through D + review_interval_days (inclusive).
CREATE OR REPLACE TEMP TABLE int_active_latest_plans AS
SELECT
    plan.provider_id,
    plan.client_id,
    plan.plan_id,
    plan.signed_date,
    plan.signed_date + CAST($review_interval_days AS INTEGER) AS review_due
FROM int_signed_plans AS plan
JOIN int_episodes AS episode USING (provider_id, client_id)
WHERE plan.is_latest AND episode.is_active;
