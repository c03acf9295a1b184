-- rule: completeness.missing_fields
-- requirement: The plan holds client name and date of birth, type of therapy, presenting problem (reason, ICD-10 diagnosis, symptoms), treatment history, goals with steps, desired outcome and target date, and intervention methods.
-- grain: one finding per signed plan missing anything
-- parameters: $clients_loaded, $therapy_types
-- This query returns one TRUE/FALSE "present" column per required element; the Pandera
-- model plan_analytics.completeness.PlanCompleteness decides what is missing.
WITH signed_plan_text AS (
    SELECT signed.plan_id, signed.provider_id, signed.client_id, signed.created_date,
           plan.therapy_type, plan.reason_for_treatment, plan.diagnosis_codes, plan.symptoms,
           plan.treatment_history, plan.interventions
    FROM int_signed_plans AS signed
    JOIN stg_treatment_plans AS plan USING (plan_id)
),
goal_facts AS (
    SELECT
        goal.plan_id,
        bool_and(NOT is_blank(goal.goal)) AS every_goal_written,
        bool_and(NOT is_blank(goal.steps)) AS every_goal_has_steps,
        bool_and(NOT is_blank(goal.desired_outcome)) AS every_goal_has_outcome,
        bool_and(goal.target_date IS NOT NULL AND goal.target_date > plan.created_date)
            AS every_target_after_creation
    FROM stg_plan_goals AS goal
    JOIN signed_plan_text AS plan USING (plan_id)
    GROUP BY goal.plan_id
),
diagnosis_codes AS (
    SELECT plan_id, upper(replace(trim(token), '.', '')) AS code
    FROM (
        SELECT plan_id, unnest(string_split_regex(diagnosis_codes, '[;,]')) AS token
        FROM signed_plan_text
    )
    WHERE trim(token) <> ''
),
diagnosis_facts AS (
    SELECT code.plan_id, bool_and(billable.code IS NOT NULL) AS every_code_billable
    FROM diagnosis_codes AS code
    LEFT JOIN ref_icd10cm_billable AS billable USING (code)
    GROUP BY code.plan_id
)
SELECT
    plan.plan_id,
    plan.provider_id,
    plan.client_id,
    NOT $clients_loaded OR (client.client_id IS NOT NULL AND NOT is_blank(client.client_name)) AS client_name,
    NOT $clients_loaded OR (client.client_id IS NOT NULL AND client.date_of_birth IS NOT NULL) AS date_of_birth,
    coalesce(lower(trim(plan.therapy_type)) IN $therapy_types, FALSE) AS therapy_type,
    NOT is_blank(plan.reason_for_treatment) AS reason_for_treatment,
    coalesce(diagnosis_facts.every_code_billable, FALSE) AS diagnosis,
    NOT is_blank(plan.symptoms) AS symptoms,
    NOT is_blank(plan.treatment_history) AS treatment_history,
    coalesce(goal_facts.every_goal_written, FALSE) AS goals,
    coalesce(goal_facts.every_goal_has_steps, FALSE) AS goal_steps,
    coalesce(goal_facts.every_goal_has_outcome, FALSE) AS desired_outcome,
    coalesce(goal_facts.every_target_after_creation, FALSE) AS target_date,
    NOT is_blank(plan.interventions) AS interventions
FROM signed_plan_text AS plan
LEFT JOIN stg_clients AS client USING (client_id)
LEFT JOIN goal_facts USING (plan_id)
LEFT JOIN diagnosis_facts USING (plan_id)
