"""A weekly export loaded on top of the earlier history gives the same findings as
loading the whole history at once (issue: incremental loads)."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from plan_analytics.db import connect
from plan_analytics.engine import evaluate
from plan_analytics.loader import load_export
from plan_analytics.policy import Policy

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
CUTOFF = pd.Timestamp("2026-11-23")  # the week after this day arrives as its own export
AS_OF = dt.date(2026, 11, 30)
PLAN_TIMES = ["updated_at", "provider_signed_at", "client_signed_at", "verbal_consent_at"]


def read(name):
    return pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)


def when(frame, column):
    return pd.to_datetime(frame[column], errors="coerce", format="mixed")


def split_sample(base_dir: Path, week_dir: Path) -> None:
    """Cut the sample into the export as it stood at CUTOFF and the export of the week after.

    The week's export carries every record that is new or changed after CUTOFF; a
    plan changed in that week is sent again whole, as an EHR export would."""
    base_dir.mkdir()
    week_dir.mkdir()
    for name in ("providers", "clients"):
        read(name).to_csv(base_dir / f"{name}.csv", index=False)
    sessions = read("sessions")
    later = when(sessions, "session_start") >= CUTOFF
    # Unparsable start dates (deliberately bad rows) stay in the base export.
    sessions[~later].to_csv(base_dir / "sessions.csv", index=False)
    sessions[later].to_csv(week_dir / "sessions.csv", index=False)

    plans = read("treatment_plans")
    created_later = when(plans, "created_at") >= CUTOFF
    changed_later = pd.concat([when(plans, c) >= CUTOFF for c in PLAN_TIMES], axis=1).any(axis=1)
    as_it_stood = plans[~created_later].copy()
    for column in PLAN_TIMES:
        later_value = when(as_it_stood, column) >= CUTOFF
        as_it_stood.loc[later_value, column] = ""
    as_it_stood.loc[as_it_stood["updated_at"] == "", "updated_at"] = as_it_stood["created_at"]
    as_it_stood.to_csv(base_dir / "treatment_plans.csv", index=False)
    plans[created_later | changed_later].to_csv(week_dir / "treatment_plans.csv", index=False)

    goals = read("plan_goals")
    new_plan_ids = set(plans.loc[created_later, "plan_id"])
    goals[~goals["plan_id"].isin(new_plan_ids)].to_csv(base_dir / "plan_goals.csv", index=False)
    goals[goals["plan_id"].isin(new_plan_ids)].to_csv(week_dir / "plan_goals.csv", index=False)

    notes = read("progress_notes")
    later_note = (when(notes, "signed_at") >= CUTOFF) | notes["session_id"].isin(sessions.loc[later, "session_id"])
    notes[~later_note].to_csv(base_dir / "progress_notes.csv", index=False)
    notes[later_note].to_csv(week_dir / "progress_notes.csv", index=False)

    requests = read("chart_review_requests")
    later_request = (when(requests, "received_date") >= CUTOFF) | (when(requests, "fulfilled_date") >= CUTOFF)
    still_open = requests[~later_request].copy()
    requests[~later_request].to_csv(base_dir / "chart_review_requests.csv", index=False)
    requests[later_request].to_csv(week_dir / "chart_review_requests.csv", index=False)
    assert len(still_open) + int(later_request.sum()) == len(requests)


def findings_of(db_path):
    con = connect(db_path, read_only=True)
    try:
        return evaluate(con, AS_OF, Policy()).findings
    finally:
        con.close()


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    """(incremental database, full-reload database, week load result, week session count)."""
    folder = tmp_path_factory.mktemp("incremental")
    split_sample(folder / "base", folder / "week")
    incremental, full = folder / "incremental.duckdb", folder / "full.duckdb"
    load_export(folder / "base", incremental, Policy())
    week = load_export(folder / "week", incremental, Policy())
    load_export(SAMPLE, full, Policy())
    return incremental, full, week, len(pd.read_csv(folder / "week" / "sessions.csv"))


def test_the_week_export_adds_and_replaces(databases):
    _, _, week, week_sessions = databases
    assert week_sessions > 50  # the split really leaves a week of work to add
    assert week.file("sessions").inserted == week_sessions
    assert week.file("treatment_plans").replaced > 0  # plans signed during the week are sent again


def test_week_on_top_gives_the_same_findings_as_a_full_reload(databases):
    incremental, full, _, _ = databases
    expected = findings_of(full)
    by_all_columns = list(expected.columns)
    expected = expected.sort_values(by_all_columns).reset_index(drop=True)
    actual = findings_of(incremental).sort_values(by_all_columns).reset_index(drop=True)
    assert len(expected) > 50
    pd.testing.assert_frame_equal(actual, expected)


@pytest.mark.parametrize("table", ["stg_sessions", "stg_treatment_plans", "stg_plan_goals", "stg_progress_notes"])
def test_week_on_top_leaves_the_same_records(databases, table):
    incremental, full, _, _ = databases
    columns = "* EXCLUDE (_load_id, _source_file, _line)"
    rows = []
    for path in (incremental, full):
        con = connect(path, read_only=True)
        rows.append(con.execute(f"SELECT {columns} FROM {table} ORDER BY ALL").fetchall())
        con.close()
    assert rows[0] == rows[1]


def test_a_copy_with_five_changed_plans_replaces_exactly_those_five(tmp_path):
    """Issue 2: loading the sample twice changes nothing; a copy with 5 plans edited
    replaces exactly those 5 and leaves every other record as it was."""
    db = tmp_path / "qa.duckdb"
    load_export(SAMPLE, db, Policy())
    again = load_export(SAMPLE, db, Policy())
    assert all(f.inserted == 0 and f.replaced == 0 for f in again.files)

    copy = tmp_path / "export"
    copy.mkdir()
    for path in SAMPLE.glob("*.csv"):
        (copy / path.name).write_bytes(path.read_bytes())
    plans = read("treatment_plans")
    edited = ["TP00010", "TP00020", "TP00030", "TP00040", "TP00050"]
    plans.loc[plans["plan_id"].isin(edited), "interventions"] += " Added exposure work."
    plans.to_csv(copy / "treatment_plans.csv", index=False)

    con = connect(db, read_only=True)
    before = con.execute("SELECT * FROM stg_treatment_plans WHERE plan_id NOT IN (SELECT unnest($ids)) ORDER BY plan_id",
                         {"ids": edited}).fetchall()
    con.close()
    result = load_export(copy, db, Policy())
    assert (result.file("treatment_plans").replaced, result.file("treatment_plans").inserted) == (5, 0)
    con = connect(db, read_only=True)
    after = con.execute("SELECT * FROM stg_treatment_plans WHERE plan_id NOT IN (SELECT unnest($ids)) ORDER BY plan_id",
                        {"ids": edited}).fetchall()
    changed = con.execute("SELECT count(*) FROM stg_treatment_plans WHERE interventions LIKE '%Added exposure work.'").fetchall()
    con.close()
    assert after == before
    assert changed == [(5,)]
