-- rule: consent.verbal_consent_missing
-- requirement: For telehealth the client's verbal agreement to the plan is noted (a client signature also counts).
-- grain: one finding per signed plan
-- parameters: (none beyond the as-of views)
-- A plan whose modality is unknown is held to the telehealth standard: either consent satisfies it.
SELECT
    plan.provider_id,
    plan.client_id,
    plan.plan_id,
    modality.modality || ' plan without client signature or noted verbal consent' AS detail
FROM int_signed_plans AS plan
JOIN int_plan_modality AS modality USING (plan_id)
WHERE modality.modality IN ('telehealth', 'unknown')
  AND plan.client_signed_at IS NULL
  AND plan.verbal_consent_at IS NULL
