-- layer: intermediate (as of $as_of)
-- grain: one row per completed session dated on or before the as-of date
-- Only completed sessions are numbered, per episode, by start time then session_id as text.
CREATE OR REPLACE TEMP TABLE int_completed_sessions AS
SELECT
    session_id,
    provider_id,
    client_id,
    session_start,
    CAST(session_start AS DATE) AS session_date,
    modality,
    row_number() OVER (
        PARTITION BY provider_id, client_id ORDER BY session_start, session_id
    ) AS session_number
FROM stg_sessions
WHERE status = 'completed'
  AND CAST(session_start AS DATE) <= $as_of;
