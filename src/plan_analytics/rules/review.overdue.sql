-- rule: review.overdue
-- requirement: The plan is reviewed and re-signed at least twice a year (a payer may demand every 90 days).
-- grain: one finding per active episode (provider_id, client_id)
-- parameters: $as_of (the due date comes from int_active_latest_plans)
SELECT
    provider_id,
    client_id,
    plan_id,
    review_due AS due_date,
    $as_of - review_due AS days_overdue,
    'review was due ' || strftime(review_due, '%Y-%m-%d') AS detail
FROM int_active_latest_plans
WHERE $as_of > review_due
