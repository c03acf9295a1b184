-- rule: thread.note_without_goal
-- requirement: Session documentation follows the treatment plan: each progress note addresses a goal of the current plan.
-- grain: one finding per signed progress note
-- parameters: $as_of
WITH signed_notes AS (
    SELECT
        note_id,
        session_id,
        list_transform(
            list_filter(string_split_regex(coalesce(goals_addressed, ''), '[;,\s]+'),
                        lambda token: regexp_full_match(token, '[0-9]+')),
            lambda token: TRY_CAST(token AS BIGINT)
        ) AS goals_named
    FROM stg_progress_notes
    WHERE CAST(signed_at AS DATE) <= $as_of
),
notes_with_current_plan AS (
    SELECT note.note_id, note.goals_named, session.session_id, session.provider_id,
           session.client_id, session.current_plan_id AS plan_id
    FROM signed_notes AS note
    JOIN int_session_current_plan AS session USING (session_id)
    WHERE session.current_plan_id IS NOT NULL
),
notes_naming_a_plan_goal AS (
    SELECT DISTINCT note.note_id
    FROM notes_with_current_plan AS note
    JOIN stg_plan_goals AS goal
      ON goal.plan_id = note.plan_id AND list_contains(note.goals_named, goal.goal_number)
)
SELECT provider_id, client_id, plan_id, session_id,
       note_id || ': names no goal of the current plan' AS detail
FROM notes_with_current_plan
ANTI JOIN notes_naming_a_plan_goal USING (note_id)
