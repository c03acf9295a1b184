-- rule: establishment.missing
-- requirement: A treatment plan is established (signed by the provider) within the client's first two sessions.
-- grain: one finding per episode (provider_id, client_id)
-- parameters: $as_of, $establish_by_session
WITH deadline_sessions AS (
    SELECT provider_id, client_id, session_id, session_date
    FROM int_completed_sessions
    WHERE session_number = $establish_by_session
),
episodes_with_signed_plan AS (
    SELECT DISTINCT provider_id, client_id FROM int_signed_plans
)
SELECT
    deadline.provider_id,
    deadline.client_id,
    deadline.session_id,
    deadline.session_date AS due_date,
    $as_of - deadline.session_date AS days_overdue,
    'no signed plan by completed session ' || $establish_by_session AS detail
FROM deadline_sessions AS deadline
ANTI JOIN episodes_with_signed_plan AS signed
  ON signed.provider_id = deadline.provider_id AND signed.client_id = deadline.client_id
