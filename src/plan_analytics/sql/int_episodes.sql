-- layer: intermediate (as of $as_of)
-- grain: one row per episode (provider_id, client_id) with at least one completed session
CREATE OR REPLACE TEMP TABLE int_episodes AS
SELECT
    provider_id,
    client_id,
    min(session_date) AS first_session_date,
    max(session_date) AS last_session_date,
    max(session_date) >= $as_of - CAST($active_window_days AS INTEGER) AS is_active
FROM int_completed_sessions
GROUP BY provider_id, client_id;
