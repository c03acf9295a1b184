"""The SQL pre-filter compiled from the Pandera models: it must keep every row the model
rejects (Pandera decides on the candidates), and let clean rows stay in DuckDB."""

from __future__ import annotations

import duckdb

from plan_analytics.formats import RECORD_TYPES
from plan_analytics.load_validate import candidate_filter, failures_table, validate_typed


def _candidates(con, record_type: str, keys_deduplicated: bool) -> list[int]:
    condition, params = candidate_filter(RECORD_TYPES[record_type], "batch", keys_deduplicated)
    return [r[0] for r in con.execute(f"SELECT _row FROM batch WHERE {condition} ORDER BY _row", params).fetchall()]


def _sessions_batch() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        """CREATE TABLE batch AS SELECT * FROM (VALUES
            (0, 'S1', 'C1', 'P1', TIMESTAMP '2026-03-01 10:00', 'in_person', 'completed', NULL),
            (1, 'S2', NULL, 'P1', TIMESTAMP '2026-03-01 10:00', 'telehealth', 'completed', '90837'),
            (2, 'S3', 'C1', 'P1', TIMESTAMP '2026-03-01 10:00', 'carrier pigeon', 'completed', NULL),
            (3, 'S4', 'C1', 'P1', NULL, 'unknown', 'scheduled', NULL),
            (4, 'S5', 'C1', 'P1', TIMESTAMP '2026-03-01 10:00', 'telehealth', 'bogus', NULL),
            (5, 'S5', 'C2', 'P2', TIMESTAMP '2026-03-02 10:00', 'telehealth', 'no_show', NULL)
        ) AS t(_row, session_id, client_id, provider_id, session_start, modality, status, cpt_code)"""
    )
    return con


def test_sessions_candidates_are_the_rows_a_declaration_rejects():
    con = _sessions_batch()
    # Row 1 lacks client_id, row 2 has an unknown modality, row 3 lacks session_start,
    # row 4 has an unknown status; rows 4 and 5 share S5 (a uniqueness failure when the
    # caller has not de-duplicated keys). Row 0 is clean.
    assert _candidates(con, "sessions", keys_deduplicated=False) == [1, 2, 3, 4, 5]
    assert _candidates(con, "sessions", keys_deduplicated=True) == [1, 2, 3, 4]


def test_goal_number_bound_on_both_sides():
    con = duckdb.connect()
    con.execute(
        """CREATE TABLE batch AS SELECT * FROM (VALUES
            (0, 'T1', 0, 'g', 's', 'o', NULL::TIMESTAMP),
            (1, 'T1', 1, 'g', 's', 'o', NULL::TIMESTAMP),
            (2, 'T1', 2, 'g', 's', 'o', NULL::TIMESTAMP),
            (3, 'T2', 2, 'g', 's', 'o', NULL::TIMESTAMP),
            (4, 'T2', 2, 'g', 's', 'o', NULL::TIMESTAMP)
        ) AS t(_row, plan_id, goal_number, goal, steps, desired_outcome, target_date)"""
    )
    # goal_number must be >= 1: 0 fails, 1 (the bound) and 2 pass; (T2, 2) repeats.
    assert _candidates(con, "plan_goals", keys_deduplicated=False) == [0, 3, 4]
    assert _candidates(con, "plan_goals", keys_deduplicated=True) == [0]


def test_custom_checks_send_every_valued_row_to_pandera():
    con = duckdb.connect()
    con.execute(
        """CREATE TABLE batch AS SELECT * FROM (VALUES
            (0, 'C1', 'A', TIMESTAMP '1990-01-01', NULL),
            (1, 'C2', 'B', NULL, NULL)
        ) AS t(_row, client_id, client_name, date_of_birth, payer)"""
    )
    # not_in_future is Python, so every client with a date of birth is a candidate.
    assert _candidates(con, "clients", keys_deduplicated=True) == [0]


def test_validation_of_candidates_finds_what_the_whole_batch_has():
    con = _sessions_batch()
    failures = validate_typed(con, RECORD_TYPES["sessions"], "SELECT * FROM batch")
    rows = con.execute(
        f"SELECT _row, column_name, check_name FROM {failures_table(RECORD_TYPES['sessions'])} ORDER BY ALL"
    ).fetchall()
    assert failures == len(rows)
    assert [(r, c) for r, c, _ in rows] == [
        (1, "client_id"),
        (2, "modality"),
        (3, "session_start"),
        (4, "session_id"),
        (4, "status"),
        (5, "session_id"),
    ]


def test_a_clean_batch_is_still_checked_for_its_types():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE batch AS SELECT 0 AS _row, 'S1' AS session_id, 'C1' AS client_id, 'P1' AS provider_id, "
        "'2026-03-01' AS session_start, 'telehealth' AS modality, 'completed' AS status, NULL::VARCHAR AS cpt_code"
    )
    # session_start is text here, not a timestamp: no row is a candidate, yet the
    # model's dtype check must still see the (empty) typed frame and object.
    try:
        validate_typed(con, RECORD_TYPES["sessions"], "SELECT * FROM batch")
    except RuntimeError as error:
        assert "does not match its model" in str(error)
    else:
        raise AssertionError("a text session_start passed the model")
