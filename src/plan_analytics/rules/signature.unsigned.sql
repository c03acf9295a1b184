-- rule: signature.unsigned
-- requirement: The plan is signed by the provider.
-- grain: one finding per unsigned plan that no later signed plan supersedes
-- parameters: $as_of, $stale_draft_days
-- Superseded: another plan of the same provider and client is signed and was created at or after this one.
WITH unsigned_plans AS (
    SELECT plan_id, provider_id, client_id, created_at, created_date
    FROM int_existing_plans
    WHERE provider_signed_as_of IS NULL
),
superseded_plans AS (
    SELECT DISTINCT draft.plan_id
    FROM unsigned_plans AS draft
    JOIN int_signed_plans AS signed
      ON signed.provider_id = draft.provider_id
     AND signed.client_id = draft.client_id
     AND signed.created_at >= draft.created_at
)
SELECT
    CASE WHEN $as_of - created_date > $stale_draft_days THEN 'error' ELSE 'warning' END AS severity,
    provider_id,
    client_id,
    plan_id,
    'unsigned ' || ($as_of - created_date) || ' days after creation' AS detail
FROM unsigned_plans
ANTI JOIN superseded_plans USING (plan_id)
