-- rule: review.due_soon
-- requirement: The plan is reviewed and re-signed at least twice a year (a payer may demand every 90 days).
-- grain: one finding per active episode (provider_id, client_id)
-- parameters: $as_of, $review_due_soon_days (the due date comes from int_active_latest_plans)
SELECT
    provider_id,
    client_id,
    plan_id,
    review_due AS due_date,
    'review due in ' || (review_due - $as_of) || ' days' AS detail
FROM int_active_latest_plans
WHERE $as_of <= review_due
  AND $as_of >= review_due - CAST($review_due_soon_days AS INTEGER)
