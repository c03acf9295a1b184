-- rule: integrity.edited_after_signing
-- requirement: A signed plan is never changed.
-- grain: one finding per signed plan
-- parameters: $as_of, $edit_tolerance_seconds
SELECT
    provider_id,
    client_id,
    plan_id,
    'updated ' || strftime(updated_at, '%Y-%m-%d %H:%M') || ', signed '
        || strftime(provider_signed_at, '%Y-%m-%d %H:%M') AS detail
FROM int_signed_plans
WHERE CAST(updated_at AS DATE) <= $as_of
  AND updated_at > provider_signed_at + to_seconds(CAST($edit_tolerance_seconds AS BIGINT))
