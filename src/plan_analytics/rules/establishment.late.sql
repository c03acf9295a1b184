-- rule: establishment.late
-- requirement: A treatment plan is established (signed by the provider) within the client's first two sessions.
-- grain: one finding per episode (provider_id, client_id)
-- parameters: $establish_by_session
-- A plan signed on the day of the deadline session, or before the first session, is on time.
WITH deadline_sessions AS (
    SELECT provider_id, client_id, session_id, session_date
    FROM int_completed_sessions
    WHERE session_number = $establish_by_session
),
first_signed_plans AS (
    SELECT provider_id, client_id, plan_id, signed_date
    FROM int_signed_plans
    WHERE is_first
)
SELECT
    deadline.provider_id,
    deadline.client_id,
    first_plan.plan_id,
    deadline.session_id,
    deadline.session_date AS due_date,
    first_plan.signed_date - deadline.session_date AS days_overdue,
    'first plan signed ' || strftime(first_plan.signed_date, '%Y-%m-%d') AS detail
FROM deadline_sessions AS deadline
JOIN first_signed_plans AS first_plan
  ON first_plan.provider_id = deadline.provider_id AND first_plan.client_id = deadline.client_id
WHERE first_plan.signed_date > deadline.session_date
