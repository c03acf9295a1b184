-- layer: intermediate (as of $as_of)
-- grain: one row per completed session
-- Current plan for a session: the latest signed plan of its episode whose signed date
-- lies in [session date - review_interval_days, session date]; NULL when there is none.
CREATE OR REPLACE TEMP TABLE int_session_current_plan AS
WITH plans_in_window AS (
    SELECT
        session.session_id,
        plan.plan_id,
        row_number() OVER (
            PARTITION BY session.session_id ORDER BY plan.provider_signed_at DESC, plan.plan_id DESC
        ) AS recency
    FROM int_completed_sessions AS session
    JOIN int_signed_plans AS plan
      ON plan.provider_id = session.provider_id
     AND plan.client_id = session.client_id
     AND plan.signed_date BETWEEN session.session_date - CAST($review_interval_days AS INTEGER)
                              AND session.session_date
)
SELECT session.*, plans_in_window.plan_id AS current_plan_id
FROM int_completed_sessions AS session
LEFT JOIN plans_in_window
  ON plans_in_window.session_id = session.session_id AND plans_in_window.recency = 1;
