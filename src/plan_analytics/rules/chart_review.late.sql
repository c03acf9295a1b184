-- rule: chart_review.late
-- requirement: Documentation requested by an insurer's chart review is supplied within three business days.
-- grain: one finding per chart-review request
-- parameters: $as_of (due dates come from int_chart_review_requests)
WITH late_requests AS (
    SELECT *, coalesce(fulfilled_as_of, $as_of) - due_date AS days_overdue
    FROM int_chart_review_requests
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
