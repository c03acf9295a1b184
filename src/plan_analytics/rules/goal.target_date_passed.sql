-- rule: goal.target_date_passed
-- requirement: Each goal has a desired outcome and a target date that the plan keeps current.
-- grain: one finding per active episode (provider_id, client_id)
-- parameters: $as_of
WITH passed_goals AS (
    SELECT plan_id, string_agg(CAST(goal_number AS VARCHAR), ';' ORDER BY goal_number) AS goal_numbers
    FROM stg_plan_goals
    WHERE target_date < $as_of
    GROUP BY plan_id
)
SELECT plan.provider_id, plan.client_id, plan.plan_id, passed_goals.goal_numbers AS detail
FROM int_active_latest_plans AS plan
JOIN passed_goals USING (plan_id)
