-- rule: review.due_soon
-- requirement: The plan is reviewed and re-signed at least twice a year (a payer may demand every 90 days).
-- grain: one finding per active episode (provider_id, client_id)
-- parameters: $as_of, $review_interval_days, $review_due_soon_days
WITH latest_plans_of_active_episodes AS (
    SELECT plan.provider_id, plan.client_id, plan.plan_id,
           plan.signed_date + CAST($review_interval_days AS INTEGER) AS review_due
    FROM int_signed_plans AS plan
    JOIN int_episodes AS episode USING (provider_id, client_id)
    WHERE plan.is_latest AND episode.is_active
)
SELECT
    provider_id,
    client_id,
    plan_id,
    review_due AS due_date,
    'review due in ' || (review_due - $as_of) || ' days' AS detail
FROM latest_plans_of_active_episodes
WHERE $as_of <= review_due
  AND $as_of >= review_due - CAST($review_due_soon_days AS INTEGER)
