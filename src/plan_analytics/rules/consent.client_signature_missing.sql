-- rule: consent.client_signature_missing
-- requirement: For in-person care the plan is signed by the client.
-- grain: one finding per signed plan
-- parameters: (none beyond the as-of views)
SELECT
    plan.provider_id,
    plan.client_id,
    plan.plan_id,
    'in-person plan without the client''s signature' AS detail
FROM int_signed_plans AS plan
JOIN int_plan_modality AS modality USING (plan_id)
WHERE modality.modality = 'in_person'
  AND plan.client_signed_at IS NULL
