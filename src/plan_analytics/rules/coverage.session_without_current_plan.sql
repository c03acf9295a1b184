-- rule: coverage.session_without_current_plan
-- requirement: Every session after the establishment window is covered by a signed plan no older than the review interval.
-- grain: one finding per completed session
-- parameters: $establish_by_session
SELECT
    provider_id,
    client_id,
    session_id,
    'no current signed plan on ' || strftime(session_date, '%Y-%m-%d') AS detail
FROM int_session_current_plan
WHERE session_number > $establish_by_session
  AND current_plan_id IS NULL
