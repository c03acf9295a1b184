-- layer: intermediate (as of $as_of)
-- grain: one row per signed plan
-- Modality of a plan: the episode's latest completed session on or before the signed
-- date; failing that its first completed session after; failing that 'unknown'.
CREATE OR REPLACE TEMP TABLE int_plan_modality AS
WITH episode_sessions AS (
    SELECT
        plan.plan_id,
        -- A missing modality is unknown (arg_max would skip a NULL and pick an older session).
        coalesce(session.modality, 'unknown') AS modality,
        session.session_date <= plan.signed_date AS on_or_before_signing,
        {'start': session.session_start, 'id': session.session_id} AS session_order
    FROM int_signed_plans AS plan
    JOIN int_completed_sessions AS session
      ON session.provider_id = plan.provider_id AND session.client_id = plan.client_id
),
latest_session_before AS (
    SELECT plan_id, arg_max(modality, session_order) AS modality
    FROM episode_sessions WHERE on_or_before_signing GROUP BY plan_id
),
first_session_after AS (
    SELECT plan_id, arg_min(modality, session_order) AS modality
    FROM episode_sessions WHERE NOT on_or_before_signing GROUP BY plan_id
)
SELECT
    plan.plan_id,
    coalesce(latest_session_before.modality, first_session_after.modality, 'unknown') AS modality
FROM int_signed_plans AS plan
LEFT JOIN latest_session_before USING (plan_id)
LEFT JOIN first_session_after USING (plan_id);
