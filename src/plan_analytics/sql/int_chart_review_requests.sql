-- layer: intermediate (as of $as_of)
-- grain: one row per chart-review request received on or before the as-of date
-- due_date: the chart_review_business_days-th business day after receipt (ref_business_calendar
-- holds the policy's holidays; ordinals only grow on business days, so exactly one business
-- day carries each ordinal). A fulfilment dated after the as-of date has not happened yet.
CREATE OR REPLACE TEMP TABLE int_chart_review_requests AS
SELECT
    request.*,
    CASE WHEN request.fulfilled_date <= $as_of THEN request.fulfilled_date END AS fulfilled_as_of,
    due.day AS due_date
FROM stg_chart_review_requests AS request
JOIN ref_business_calendar AS received ON received.day = request.received_date
JOIN ref_business_calendar AS due
  ON due.is_business
 AND due.business_ordinal = received.business_ordinal + $chart_review_business_days
WHERE request.received_date <= $as_of;
