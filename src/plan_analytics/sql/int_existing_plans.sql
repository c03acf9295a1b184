-- layer: intermediate (as of $as_of)
-- grain: one row per treatment plan created on or before the as-of date
-- A signature, consent or edit dated after the as-of date does not exist yet, so it reads as NULL.
CREATE OR REPLACE TEMP TABLE int_existing_plans AS
SELECT
    plan.*,
    CAST(plan.created_at AS DATE) AS created_date,
    CASE WHEN CAST(plan.provider_signed_at AS DATE) <= $as_of THEN plan.provider_signed_at END
        AS provider_signed_as_of,
    CASE WHEN CAST(plan.client_signed_at AS DATE) <= $as_of THEN plan.client_signed_at END
        AS client_signed_as_of,
    CASE WHEN CAST(plan.verbal_consent_at AS DATE) <= $as_of THEN plan.verbal_consent_at END
        AS verbal_consent_as_of
FROM stg_treatment_plans AS plan
WHERE CAST(plan.created_at AS DATE) <= $as_of;
