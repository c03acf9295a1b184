-- rule: chart_review.late
-- requirement: Documentation requested by an insurer's chart review is supplied within three business days.
-- grain: one finding per chart-review request
-- parameters: $as_of, $chart_review_business_days (ref_business_calendar is built from the policy's holidays)
WITH requests_received AS (
    SELECT
        request_id,
        client_id,
        provider_id,
        received_date,
        CASE WHEN fulfilled_date <= $as_of THEN fulfilled_date END AS fulfilled_as_of
    FROM stg_chart_review_requests
    WHERE received_date <= $as_of
),
requests_with_due_date AS (
    -- Ordinals only grow on business days, so exactly one business day carries each ordinal.
    SELECT request.*, due.day AS due_date
    FROM requests_received AS request
    JOIN ref_business_calendar AS received ON received.day = request.received_date
    JOIN ref_business_calendar AS due
      ON due.is_business
     AND due.business_ordinal = received.business_ordinal + $chart_review_business_days
),
late_requests AS (
    SELECT *, coalesce(fulfilled_as_of, $as_of) - due_date AS days_overdue
    FROM requests_with_due_date
    WHERE coalesce(fulfilled_as_of, $as_of) > due_date
),
client_provider_at_receipt AS (
    SELECT request.request_id, arg_max(session.provider_id, {'start': session.session_start, 'id': session.session_id}) AS provider_id
    FROM late_requests AS request
    JOIN int_completed_sessions AS session
      ON session.client_id = request.client_id AND session.session_date <= request.received_date
    GROUP BY request.request_id
)
SELECT
    coalesce(request.provider_id, fallback.provider_id) AS provider_id,
    request.client_id,
    request.request_id,
    request.due_date,
    request.days_overdue,
    CASE WHEN request.fulfilled_as_of IS NULL THEN 'still open' ELSE 'fulfilled '
        || strftime(request.fulfilled_as_of, '%Y-%m-%d') END AS detail
FROM late_requests AS request
LEFT JOIN client_provider_at_receipt AS fallback USING (request_id)
