-- layer: intermediate (as of $as_of)
-- grain: one row per plan signed by the provider on or before the as-of date
-- "First" and "latest" order by provider_signed_at, then plan_id as text.
CREATE OR REPLACE TEMP TABLE int_signed_plans AS
SELECT
    plan_id,
    provider_id,
    client_id,
    created_at,
    created_date,
    updated_at,
    provider_signed_as_of AS provider_signed_at,
    CAST(provider_signed_as_of AS DATE) AS signed_date,
    client_signed_as_of AS client_signed_at,
    verbal_consent_as_of AS verbal_consent_at,
    row_number() OVER episode_in_order = 1 AS is_first,
    row_number() OVER (
        PARTITION BY provider_id, client_id ORDER BY provider_signed_as_of DESC, plan_id DESC
    ) = 1 AS is_latest
FROM int_existing_plans
WHERE provider_signed_as_of IS NOT NULL
WINDOW episode_in_order AS (
    PARTITION BY provider_id, client_id ORDER BY provider_signed_as_of, plan_id
);
